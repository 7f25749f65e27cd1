"""Barcode scanners: serial (pyserial), keyboard wedge, evdev."""
