"""Help: the keys of the screen underneath, with what each does."""

from __future__ import annotations

import re
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from toteflow.station.tui.screens.base import StationDialog

# The help's title for each screen, as the people at a station call it. Kept here, not on
# each screen, so that a screen's own file stays about its screen; a screen not listed
# (a new one) is named from its class, in words ("Wave preview"), never "WavePreview".
TITLES = {
    "LoginScreen": "Log in",
    "PickerHomeScreen": "Your tasks",
    "CartSetupScreen": "Cart set-up",
    "ZoneStartScreen": "Zone start",
    "NextStopScreen": "Next stop",
    "ShortPickScreen": "Short pick",
    "QuantityScreen": "Quantity",
    "PausedScreen": "Paused",
    "NoticeScreen": "Read this",
    "TaskCompleteScreen": "Task done",
    "StationExceptionsScreen": "To resolve at this station",
    "PackHomeScreen": "Packing",
    "ReceiveHomeScreen": "Receiving",
    "ReceivingScreen": "Receiving a notice",
    "PutawayScreen": "Put-away",
    "ReplenishScreen": "Replenishing pick faces",
    "CountDialog": "Units taken from the source",
    "ElsewhereDialog": "Another location",
    "SupervisorDialog": "A supervisor approves",
    "DamageDialog": "Damaged units",
    "CloseLineDialog": "Close a short line",
    "PackOrderScreen": "Checking the order",
    "PackBoxScreen": "Boxing the order",
    "PackDoneScreen": "Order packed",
    "SupervisorConsoleScreen": "Waves",
    "PoolScreen": "Order pool",
    "WavePreviewScreen": "Wave preview",
    "WaveProgressScreen": "Wave progress",
    "ExceptionsScreen": "Floor exceptions",
    "HeldStockScreen": "Held stock",
    "HeldDialog": "A held plate",
    "ScanCheckScreen": "Scan check",
    "StockInquiryScreen": "Stock: what is here, where is it",
    "StockMoveScreen": "Moving stock",
    "MoveQuantityDialog": "Quantity to move",
    "CountHomeScreen": "Counting",
    "CountingScreen": "Counting a location",
    "CountQuantityDialog": "Quantity counted",
    "CountApprovalsScreen": "Counts to approve",
    "CountDecisionDialog": "A count to approve",
}


def help_title(screen: object) -> str:
    """The screen's name in words, for the help's title."""
    name = type(screen).__name__
    if name in TITLES:
        return TITLES[name]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.removesuffix("Screen")).split()
    return " ".join(words).capitalize() if words else "This screen"


def format_key(key: str) -> str:
    return "+".join(part.capitalize() if len(part) > 1 else part.upper() for part in key.split("+"))


class HelpScreen(StationDialog):
    """Lists each key once; F1 or Escape closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        Binding("f1", "cancel", "Close", show=False),
        Binding("enter", "cancel", "Close", show=False),
    ]

    def __init__(self, title: str, keys: list[tuple[str, str]], *, scans: bool = True) -> None:
        super().__init__()
        self.title_words = title
        self.keys = keys
        self.scans = scans

    def compose(self) -> ComposeResult:
        rows = [
            Content.assemble((f"{format_key(key):>10}  ", "bold $accent"), words)
            for key, words in self.keys
        ]
        rows.append(Content(""))
        scan = "Scan labels, or type a code and press Enter. " if self.scans else ""
        rows.append(Content.styled(f"{scan}Ctrl+P opens the command palette.", "dim"))
        with Vertical(id="dialog"):
            yield Static(f"KEYS · {self.title_words}", classes="dialog-title")
            yield Static(Content("\n").join(rows), classes="dialog-text")
