"""toteflow: warehouse floor stations that work offline, and the server they sync with."""

__version__ = "0.1.0"
