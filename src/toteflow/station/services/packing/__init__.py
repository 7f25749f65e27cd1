"""Pack-station use cases: verify, short, box, weigh, carrier, label, close; local + outbox.

The pack desk calls `service.PackingService` (built by station bootstrap), whose parts each
keep one responsibility:

- `records` (`records.PackRecords`): the order and the packer's progress in the station
  store, each change with its outbox event.
  - `await service.open_order(server, packing, user_id, key, session)`: fetch an order by
    its reference or a tote code from the server, keep it here and top up the SSCC pool.
    `view(reference)` -> `views.PackView` (lines with expected, verified, shorted, packed;
    cartons; what is left).
  - `verify(reference, code)` -> `Verified` for an item scan (barcode/GTIN of any pack size,
    a GS1 label); a wrong or extra item raises `Refused` with the reason to show. A lot-,
    expiry- or serial-tracked item needs the label that carries them, as at picking; a
    typed SKU counts only with `allow_keyed_items` and is kept as keyed
    (`item_scans.match_item`). Nothing is sent: the progress is kept locally, and the
    carton and shipment events carry the contents, keyed units, lots and serials.
  - `report_short(user_id, reference, sku, reason)` -> event `pack.shorted` (a floor
    exception for the supervisor; `short_policy` says whether the order may then ship
    partially).
  - `close_carton(user_id, reference, box_code, weight_g, carrier, service, contents=None,
    override=None)` -> `ClosedCarton`: takes an SSCC, makes the tracking number, records
    the carton (event `carton.packed`) and queues its label; a weight outside tolerance
    raises `WeightOutOfTolerance` unless the packer gives a reason (`WeightOverride`), and
    beyond the policy's second limit a supervisor's approval as well.
  - `close_shipment(user_id, reference, choice)` -> event `shipment.closed` and the packing
    slip queued to the slip printer.
- `boxes` (`boxes.BoxAndCarrier`): the box and carrier choice, over the policy and the order
  in hand, storing nothing.
  - `suggest(view)` -> `Cartonization` for the units checked and not yet boxed
    (`.boxes[i].box`, `.counts()`, `.gross_weight_g`); `box_for_barcode(code)` for an
    override, `box_problem(order, box, contents)` says why it will not do.
  - `expected_weight(order, box, contents)`; `check_weight(expected_g, weight_g)` ->
    `WeightCheck` (`.ok`, `.message()`).
  - `choose_service(order, parcels, override=None)` -> `ServiceChoice` (`.chosen`,
    `.explain()` lines, `.late`); the packer may override with (carrier, service).
- `prints` (`printing.PrintQueue`): labels and slips.
  - `print_job(job_id, printer=None)` / `print_queued(printer=None)` -> `PrintResult`: a
    printer that does not answer (`PrinterDown`) leaves the job queued (`ok=False`,
    `.message` to show); reprint or pass another printer's name (`printers()` lists them).
    Success records `label.printed`. `packing_slip(view)` for a preview.
- `sscc` (`sscc.SsccPool`): serials from blocks the server reserves for this station;
  `left()`, `await top_up(server, session)`.
"""
