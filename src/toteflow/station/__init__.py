"""The station program: the terminal app, use cases, local store, devices, server client."""
