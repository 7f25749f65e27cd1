"""Wire schemas shared by the server and the station's sync client."""
