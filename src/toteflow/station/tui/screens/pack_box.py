"""Boxing an order: the suggested box, the weight against the expected, carrier, label."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Static

from toteflow.domain.packing import WEIGHT_REASONS
from toteflow.domain.scale import ScaleReading
from toteflow.station.services.pack_desk import Carton, PackDesk, PackOutcome
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar


def kg(grams: int) -> str:
    return f"{grams / 1000:.2f} kg"


class PackBoxScreen(StationScreen[None]):
    """One carton at a time: scan its box, weigh it, print its label; then finish."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f4", "weigh", "Weigh"),
        Binding("f5", "confirm", "Accept"),
        # Shown in the carrier panel; the footer keeps to what every box needs.
        Binding("f6", "carrier", "Carrier", show=False),
        Binding("f7", "reprint", "Reprint"),
        Binding("f8", "printer", "Printer"),
        Binding("f10", "label", "Label"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, desk: PackDesk, outcome: PackOutcome | None = None) -> None:
        super().__init__()
        self.desk = desk
        self.first = outcome

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield Static("", id="pack-box-head")
        yield Static("", id="pack-box-what", classes="pack-panel")
        yield Static("", id="pack-box-weight", classes="pack-panel")
        yield Static("", id="pack-box-carrier", classes="pack-panel")
        yield Static("", id="pack-box-label")
        yield ScanFeedback("", id="feedback")
        yield ScanPrompt()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.render_box()
        if self.first is not None:
            self.show(self.first)
        self.watch(self.app, "scale_reading", self._scale_changed, init=False)

    # drawing ---------------------------------------------------------------------------

    def render_box(self) -> None:
        desk = self.desk
        carton = desk.carton()
        number, total = desk.carton_number()
        reference = desk.reference or ""
        head = f"ORDER {reference} · box {number} of {total}" if total else f"ORDER {reference}"
        self.query_one("#pack-box-head", Static).update(Content.assemble((head, "bold")))
        self.query_one("#pack-box-what", Static).update(self._what(carton))
        self.query_one("#pack-box-weight", Static).update(self._weight(carton))
        self.query_one("#pack-box-carrier", Static).update(self._carrier())
        self.query_one("#pack-box-label", Static).update(self._label())
        prompt = self._prompt(carton)
        scan_prompt = self.query_one(ScanPrompt)
        if scan_prompt.hint != prompt:
            scan_prompt.hint = prompt
            scan_prompt.refresh()
        feedback = self.query_one(ScanFeedback)
        if not feedback.last_signal:
            feedback.idle(prompt)

    def _prompt(self, carton: Carton | None) -> str:
        if carton is None:
            return "Every box is closed: F10 finishes the order"
        if not carton.box_scanned and not carton.suggested_by_rules:
            return "Scan the barcode of the box you use"
        if not carton.box_scanned:
            return f"Scan box {carton.box.barcode or carton.box.code} (or another box's barcode)"
        if carton.check is None:
            return "Put the box on the scale (F4 to type the weight)"
        if not carton.check.ok and not carton.confirmed:
            return "Re-check the box: F4 weighs again, F5 accepts it with a reason"
        return "F10 prints the label"

    def _what(self, carton: Carton | None) -> Content:
        if carton is None:
            boxing = self.desk.boxing
            closed = boxing.cartons if boxing is not None else []
            return Content(
                "\n".join(
                    f"Box {n} {c.box.code} closed · SSCC {c.sscc} · {c.tracking}"
                    for n, c in enumerate(closed, start=1)
                )
            )
        box = carton.box
        items = ", ".join(f"{q} x {sku}" for sku, q in sorted(carton.contents.items()))
        if not carton.suggested_by_rules and not carton.box_scanned:
            return Content.assemble(
                ("BOX ", "dim"),
                ("no suggestion: scan the box you use", "bold"),
                "\n",
                ("PUT IN ", "dim"),
                items,
            )
        how = "suggested" if box == carton.suggested else f"instead of {carton.suggested.code}"
        if not carton.suggested_by_rules:
            how = "your choice"
        scanned = "" if carton.box_scanned else " · scan it"
        return Content.assemble(
            ("BOX ", "dim"),
            (f"{box.name} ({box.code})", "bold"),
            f" {box.length_mm}x{box.width_mm}x{box.height_mm} mm · {how}{scanned}\n",
            ("PUT IN ", "dim"),
            items,
        )

    def _weight(self, carton: Carton | None) -> Content:
        reading = self.station.scale_reading
        scale = reading.text if reading is not None else "no scale: F4 to type the weight"
        if carton is None:
            return Content.assemble(("SCALE ", "dim"), scale)
        expected = self.desk.expected_weight_g(carton)
        parts: list[str | tuple[str, str]] = [
            ("SCALE ", "dim"),
            scale,
            ("  · expected ", "dim"),
            (kg(expected), "bold"),
            "\n",
        ]
        check = carton.check
        if check is None:
            parts.append(("not weighed yet", "dim"))
        elif check.ok:
            parts.append(
                (f"WEIGHED {kg(check.actual_g)}: within ± {kg(check.tolerance_g)}", "green")
            )
        elif carton.override is not None:
            by = f", approved by {carton.override.approver}" if carton.override.approver else ""
            why = WEIGHT_REASONS.get(carton.override.reason, carton.override.reason).lower()
            parts.append((f"WEIGHED {kg(check.actual_g)}: accepted: {why}{by}", "yellow"))
        else:
            parts.append((f"WEIGHED {kg(check.actual_g)}: {check.message()}", "bold red"))
        return Content.assemble(*parts)

    def _carrier(self) -> Content:
        boxing = self.desk.boxing
        choice = boxing.carrier.choice if boxing is not None else None
        if choice is None or choice.chosen is None:
            problem = boxing.carrier.problem if boxing is not None else ""
            return Content.assemble(
                ("CARRIER ", "dim"), (problem or "none meets the rules: F6", "bold red")
            )
        chosen = choice.chosen
        price = f"{chosen.cost_cents / 100:.2f}" if chosen.cost_cents is not None else "-"
        when = chosen.delivery.isoformat() if chosen.delivery else "-"
        why = "your choice" if choice.overridden else choice.why
        if choice.late:
            why = f"LATE: nothing arrives by the promise · {why}"
        # Another service than the order's: said in words, where the packer looks.
        asked = choice.requested is not None and choice.requested.service == chosen.service
        return Content.assemble(
            ("CARRIER ", "dim"),
            (chosen.service.name, "bold"),
            f" · {price} · arrives {when} (promised {choice.promised.isoformat()})\n",
            (why, "dim" if asked or choice.overridden else "yellow"),
            ("  F6 to change", "dim"),
        )

    def _label(self) -> Content:
        boxing = self.desk.boxing
        if boxing is None or not boxing.prints:
            printer = self.desk.label_printer()
            return Content.assemble(("LABEL ", "dim"), f"prints on {printer}")
        last = boxing.prints[-1]
        if last.ok:
            return Content.assemble(("LABEL ", "dim"), (last.message, "green"))
        return Content.assemble(("LABEL QUEUED ", "bold red"), last.message)

    def show(self, outcome: PackOutcome) -> None:
        self.signal(outcome.ok, outcome.headline, outcome.detail)

    def after(self, outcome: PackOutcome) -> None:
        if outcome.done:
            from toteflow.station.tui.screens.pack_done import PackDoneScreen

            self.app.push_screen(PackDoneScreen(self.desk, outcome))
            return
        self.render_box()
        self.show(outcome)

    # scans and the scale ---------------------------------------------------------------

    def expected_scan(self) -> str | None:
        carton = self.desk.carton()
        if carton is None or carton.box_scanned:
            return None
        return carton.box.barcode or carton.box.code

    def on_scan_received(self, message: ScanReceived) -> None:
        self.after(self.desk.scan_box(message.raw))

    def _scale_changed(self, reading: ScaleReading | None) -> None:
        carton = self.desk.carton()
        # A stable weight on a box that waits for one is taken at once; later ones only show.
        if (
            reading is not None
            and reading.usable
            and reading.kg is not None
            and reading.kg > 0
            and carton is not None
            and carton.box_scanned
            and carton.check is None
        ):
            self.after(self.desk.weigh(int(reading.kg * 1000), "scale"))
            return
        self.query_one("#pack-box-weight", Static).update(self._weight(carton))

    # keys ------------------------------------------------------------------------------

    def action_weigh(self) -> None:
        carton = self.desk.carton()
        if carton is None or not carton.box_scanned:
            self.after(self.desk.weigh(0, "typed"))  # says what to do first
            return
        reading = self.station.scale_reading
        if reading is not None and reading.usable and reading.kg is not None and reading.kg > 0:
            self.after(self.desk.weigh(int(reading.kg * 1000), "scale"))
            return
        from toteflow.station.tui.screens.pack_dialogs import PackWeightScreen

        why = reading.text if reading is not None else "This station has no scale."
        # The demo has no scale: its dialog starts at the expected weight.
        prefill = self.desk.expected_weight_g(carton) if self.station.demo else None

        def done(grams: int | None) -> None:
            if grams is not None:
                self.after(self.desk.weigh(grams, "typed"))

        self.app.push_screen(PackWeightScreen(why, prefill), done)

    def action_confirm(self) -> None:
        refused = self.desk.weight_to_accept()
        if refused is not None:
            self.after(refused)
            return
        from toteflow.station.tui.screens.pack_dialogs import PackWeightReasonScreen

        def done(answer: str | PackOutcome | None) -> None:
            if isinstance(answer, PackOutcome):
                self.after(answer)  # approved by a supervisor's badge in the dialog
            elif answer is not None:
                self.after(self.desk.accept_weight(answer))

        supervisor = self.desk.weight_needs_supervisor()
        self.app.push_screen(
            PackWeightReasonScreen(self.desk.approve_weight if supervisor else None), done
        )

    def action_carrier(self) -> None:
        boxing = self.desk.boxing
        if boxing is None or boxing.carrier.choice is None:
            problem = boxing.carrier.problem if boxing is not None else ""
            self.signal(False, "NO CARRIER LIST", problem or "box the order first")
            return
        from toteflow.station.tui.screens.pack_dialogs import PackChoiceScreen

        options = [
            (f"{c.service.carrier}/{c.service.code}", line)
            for c, line in zip(
                boxing.carrier.choice.candidates, boxing.carrier.choice.explain(), strict=True
            )
        ]

        def done(key: str | None) -> None:
            if key is not None:
                carrier, _, service = key.partition("/")
                self.after(self.desk.choose(carrier, service))

        self.app.push_screen(
            PackChoiceScreen("CARRIER", "Cheapest first; * is the current choice.", options), done
        )

    def action_reprint(self) -> None:
        self.after(self.desk.reprint())

    def action_printer(self) -> None:
        from toteflow.station.tui.screens.pack_dialogs import PackChoiceScreen

        options = [(name, name) for name in self.desk.printers()]

        def done(name: str | None) -> None:
            if name is not None:
                self.after(self.desk.reprint(name))

        self.app.push_screen(
            PackChoiceScreen("PRINTER", "Print the label on which printer?", options), done
        )

    def action_label(self) -> None:
        self.after(self.desk.close_carton())

    def action_back(self) -> None:
        # Closed boxes stay closed; what is not boxed yet is suggested again from the order.
        self.app.pop_screen()
