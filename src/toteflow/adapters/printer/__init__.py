"""Label printers: raw TCP 9100, CUPS raw queue, folder."""
