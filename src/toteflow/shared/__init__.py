"""Implementations of the service ports: store, sync, devices, labels."""
