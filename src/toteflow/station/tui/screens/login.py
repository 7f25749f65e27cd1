"""Log-in: scan a badge, then type the PIN when the site asks for one."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.widgets import Footer, Input, Static

from toteflow.domain.errors import ServiceError
from toteflow.domain.scan import BadgeScan, ScanError, label_name
from toteflow.station.tui.scan_messages import ScanReceived
from toteflow.station.tui.screens.base import StationScreen
from toteflow.station.tui.widgets.scan_capture import ScanPrompt
from toteflow.station.tui.widgets.scan_feedback import ScanFeedback
from toteflow.station.tui.widgets.status_bar import StatusBar

DEMO_BADGE = "B00101"
BADGE_HINT = "Scan your badge, or type it and press Enter"
PIN_HINT = "Type your PIN and press Enter · Escape: another badge"


class LoginScreen(StationScreen[None]):
    """The station's first screen, and where it returns after each log-out."""

    ACCEPTS_SCANS = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "restart", "Start again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.badge: str | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield StatusBar()
        with Vertical(id="login-body"):
            yield Static("toteflow", id="login-title")
            yield Static("Scan your badge", id="login-step")
            with Center():
                yield Input(
                    placeholder="PIN, then Enter", password=True, id="login-pin", max_length=12
                )
        yield ScanFeedback("Scan your badge to log in", id="feedback")
        yield ScanPrompt(BADGE_HINT)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        pin = self.query_one("#login-pin", Input)
        pin.display = False
        pin.cursor_blink = False  # steady: easier to find under floor lighting

    def on_screen_resume(self) -> None:
        # Back here after a log-out: the last person's badge and PIN are forgotten.
        self.action_restart()

    def expected_scan(self) -> str | None:
        return DEMO_BADGE if self.badge is None else None

    def on_scan_received(self, message: ScanReceived) -> None:
        if self.busy:
            self.signal(False, "WAIT", "checking the last badge with the server")
            return
        result = self.services.read_scan(message.raw)
        if isinstance(result, ScanError):
            self.signal(False, "NOT A BADGE", result.reason)
            return
        if not isinstance(result, BadgeScan):
            self.signal(False, "NOT A BADGE", f"scan your badge: that was a {label_name(result)}")
            return
        self.badge = result.code
        if self.services.login.pin_required:
            self.signal(True, f"BADGE {result.code}", "now type your PIN and press Enter")
            self.query_one("#login-step", Static).update(f"Badge {result.code}: type your PIN")
            pin = self.query_one("#login-pin", Input)
            pin.display = True
            pin.value = ""
            pin.focus()
            self._hint(PIN_HINT)
        else:
            self.busy = True
            self._log_in(result.code, None, message.keep())

    @on(Input.Submitted, "#login-pin")
    def _pin_entered(self, event: Input.Submitted) -> None:
        if self.badge is None or self.busy:
            return
        self.busy = True
        # What is typed or scanned next (the first tote) waits for the person's own screen.
        self._log_in(self.badge, event.value.strip(), self.station.hold_input(self).release)

    @work(exclusive=True, group="login")
    async def _log_in(self, badge: str, pin: str | None, done: Callable[[], None]) -> None:
        try:
            await self._check_and_sign_in(badge, pin)
        finally:
            self.busy = False
            done()

    async def _check_and_sign_in(self, badge: str, pin: str | None) -> None:
        feedback = self.query_one(ScanFeedback)
        feedback.idle("Checking your badge…")
        try:
            person = await self.services.login.login(badge, pin)
        except ServiceError as refusal:
            pin_input = self.query_one("#login-pin", Input)
            pin_input.value = ""
            again = ": type the PIN again, or Escape for another badge" if pin is not None else ""
            self.signal(False, "NOT LOGGED IN", f"{refusal}{again}")
            return
        self.busy = False
        if not await self.station.sign_in(person):
            self.signal(
                False,
                "NO SCREENS FOR YOU HERE",
                f"this station has no {person.role.value} screens yet: ask a supervisor",
            )
            self.action_restart(keep_feedback=True)

    def action_restart(self, keep_feedback: bool = False) -> None:
        self.badge = None
        self.busy = False
        pin = self.query_one("#login-pin", Input)
        pin.value = ""
        pin.display = False
        self.set_focus(None)
        self.query_one("#login-step", Static).update("Scan your badge")
        self._hint(BADGE_HINT)
        if not keep_feedback:
            self.query_one(ScanFeedback).idle("Scan your badge to log in")

    def _hint(self, words: str) -> None:
        prompt = self.query_one(ScanPrompt)
        if prompt.hint != words:
            prompt.hint = words
            prompt.refresh()
