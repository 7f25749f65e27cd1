"""Shipping scales over serial: MT-SICS and NCI."""
