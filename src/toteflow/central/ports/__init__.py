"""What the server's use cases need of the store and the outside, as Protocols."""
