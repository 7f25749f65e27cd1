"""Input holds: while a scan or a key is still being worked, the station's next input waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from textual.message import Message
from textual.message_pump import MessagePump

# A hold nobody released (a worker that never finished) must not stop the station for
# good: past this age it is dropped. Every server call the screens wait on times out well
# before it.
MAX_HOLD_S = 60.0


@dataclass(eq=False)
class InputHold:
    """One reason the next scan or key must wait: a scan being worked, a key on its way.

    `node` is the screen or widget doing the work: if it leaves the DOM before it releases
    the hold (a dialog closed by the very key that was held for), the hold lapses by itself.
    `screen` is the screen that was active when the hold was taken, so the input that waited
    goes to a new screen only once that screen is up.
    """

    node: MessagePump
    screen: MessagePump | None
    scan: bool
    _on_release: Callable[[InputHold], None] = field(repr=False)
    taken_at: float = field(default_factory=time.monotonic)
    released: bool = False

    def release(self) -> None:
        """The work is done: the input that waited is worked next (idempotent)."""
        if not self.released:
            self.released = True
            self._on_release(self)

    def lapsed(self, now: float) -> bool:
        """Whether the hold can no longer be released by its owner, or has waited too long."""
        attached = getattr(self.node, "is_attached", True)
        return not attached or now - self.taken_at > MAX_HOLD_S


class InputSettled(Message, bubble=True):
    """Sent after a key, along the key's own path: when it reaches the App, the key is done.

    It is posted to the widget the key went to once that widget is idle, so it follows the
    key up through every parent to the App, where the key's bindings run; if they left work
    queued on the way (an Input's Submitted), it goes round again behind that work. The next
    key is read only after all that.
    """

    def __init__(self, hold: InputHold, lap: int = 1) -> None:
        super().__init__()
        self.hold = hold
        self.lap = lap


# A key's bindings run when it reaches the App, and may post more (Enter in an Input posts
# Submitted, whose handler closes the dialog): the probe goes round again while anything on
# its path is still queued, at most this many times.
MAX_LAPS = 6


def path_busy(node: MessagePump) -> bool:
    """Whether the node or any parent below the App still has messages queued."""
    current: MessagePump | None = node
    while current is not None and current._parent is not None:
        if not current._message_queue.empty():
            return True
        current = current._parent
    return False
