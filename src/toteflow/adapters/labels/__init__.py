"""Label rendering: ZPL and PNG/PDF via python-barcode."""
