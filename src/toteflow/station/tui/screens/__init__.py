"""Screens of the station app."""
