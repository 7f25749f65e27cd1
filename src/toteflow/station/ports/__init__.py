"""What the station's use cases need of its store, the server and devices, as Protocols."""
