"""Import orders, products and stock from CSV files: check every row first, then write.

- `columns`: the kinds of import and the columns of each.
- `reading`: the CSV file (encodings, quoting, blank rows), its header, the progress callback.
- `cells`, `order_rows`, `product_rows`, `stock_rows`: checking rows, the values of one row
  and then each kind's rules across rows (an order's rows agree, a barcode is used once).
- `lookups`: what the checks ask the database. `plan`: a checked file, what a write would do.
- `checking`: a whole file through its kind's checker, nothing written.
- `bad_rows`: the --skip-bad file. `service`: the use case, all-or-nothing writing in batches.
"""
