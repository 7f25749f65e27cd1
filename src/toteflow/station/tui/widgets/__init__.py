"""Widgets shared by the station screens."""
