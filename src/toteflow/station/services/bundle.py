"""The use cases a station's screens may call, bundled: nothing else reaches the screens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from toteflow.domain.layout import Layout
from toteflow.domain.scan import DEFAULT_FORMATS, CodeFormats, ScanResult, interpret
from toteflow.station.ports.counts import CountServer
from toteflow.station.ports.held_stock import HeldServer
from toteflow.station.ports.packing import PackServer, Printer
from toteflow.station.ports.putaway import PutawayServer
from toteflow.station.ports.receiving import ReceivingServer
from toteflow.station.ports.stock import StockServer
from toteflow.station.ports.store import TaskServer
from toteflow.station.ports.wave_console import WaveServer
from toteflow.station.services.count_approvals import CountApprovals
from toteflow.station.services.counting import CountDesk
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.held_stock import HeldStock
from toteflow.station.services.login import Person, StationLogin
from toteflow.station.services.pack_desk import PackDesk
from toteflow.station.services.packing.service import PackingService
from toteflow.station.services.picker import PickerDesk
from toteflow.station.services.putaway import PutawayDesk
from toteflow.station.services.receiving import (
    PlateLabels,
    ReceivingDesk,
    ReceivingLookups,
    ReceivingRecords,
)
from toteflow.station.services.refusals import RefusalDesk
from toteflow.station.services.replenish import ReplenDesk
from toteflow.station.services.stock_inquiry import StockInquiry
from toteflow.station.services.stock_move import HandMoveDesk
from toteflow.station.services.wave_console import WaveConsole


@dataclass
class StationServices:
    """Built once by the station's bootstrap; screens get this and a Person, nothing more."""

    login: StationLogin
    floor: FloorActions
    view: StationView
    tasks: TaskServer
    layout: Layout | None = None
    formats: CodeFormats = field(default_factory=lambda: DEFAULT_FORMATS)
    fnc1_replacement: str | None = None
    today: Callable[[], date] = date.today
    # [station] allow_keyed_items: the SKU typed from the screen stands for an item scan.
    allow_keyed_items: bool = False
    # A pack station's: None where the station has no packing set up.
    packing: PackingService | None = None
    pack_server: PackServer | None = None
    # The server's wave API for supervisors (None: this station has no wave console).
    waves: WaveServer | None = None
    # The server's held-stock API for supervisors (None: held stock is not shown here).
    held_server: HeldServer | None = None
    # The receiver's: the receiving settings' source and the printer for plate labels.
    receiving_server: ReceivingServer | None = None
    plate_printer: Printer | None = None
    putaway_server: PutawayServer | None = None
    # The server's stock inquiries (None: answers come from this station's copy only).
    stock_server: StockServer | None = None
    # The server's cycle-count API: counters' open counts, supervisors' approvals.
    count_server: CountServer | None = None
    # [counts] anyone_may_count: pickers and receivers reach counting from their home (F7).
    anyone_may_count: bool = False
    # [station] pickers_replenish: pickers may take replenishments too (F6 on their home).
    pickers_replenish: bool = False

    def read_scan(self, raw: str) -> ScanResult:
        """What a scan is (our labels in the site's formats, GTINs, GS1), or why it is not."""
        return interpret(raw, self.formats, fnc1_replacement=self.fnc1_replacement)

    def picker(self, person: Person) -> PickerDesk:
        return PickerDesk(
            person,
            self.floor,
            self.view,
            self.tasks,
            layout=self.layout,
            formats=self.formats,
            today=self.today,
            allow_keyed=self.allow_keyed_items,
        )

    def pack_desk(self, person: Person) -> PackDesk | None:
        if self.packing is None or self.pack_server is None:
            return None
        return PackDesk(person, self.packing, self.pack_server, today=self.today)

    def wave_console(self, person: Person) -> WaveConsole | None:
        return WaveConsole(person, self.waves) if self.waves is not None else None

    def held_stock(self, person: Person) -> HeldStock | None:
        if self.held_server is None:
            return None
        return HeldStock(person, self.held_server, self.read_scan)

    def receiving_desk(self, person: Person) -> ReceivingDesk:
        uow = self.floor.uow
        return ReceivingDesk(
            person,
            ReceivingRecords(uow, on_recorded=self.floor.on_recorded),
            ReceivingLookups(uow),
            self.login,
            self.read_scan,
            server=self.receiving_server,
            labels=PlateLabels(self.plate_printer),
            today=self.today,
        )

    def putaway_desk(self, person: Person) -> PutawayDesk:
        return PutawayDesk(
            person,
            self.floor.uow,
            self.read_scan,
            server=self.putaway_server,
            layout=self.layout,
            on_recorded=self.floor.on_recorded,
        )

    def stock_inquiry(self, person: Person) -> StockInquiry:
        return StockInquiry(person, self.floor.uow, self.read_scan, server=self.stock_server)

    def hand_move(self, person: Person) -> HandMoveDesk:
        return HandMoveDesk(
            person,
            self.floor.uow,
            self.read_scan,
            server=self.stock_server,
            on_recorded=self.floor.on_recorded,
        )

    def count_desk(self, person: Person) -> CountDesk:
        return CountDesk(
            person,
            self.floor.uow,
            self.read_scan,
            server=self.count_server,
            on_recorded=self.floor.on_recorded,
        )

    def count_approvals(self, person: Person) -> CountApprovals | None:
        if self.count_server is None:
            return None
        return CountApprovals(person, self.count_server)

    def replen_desk(self, person: Person) -> ReplenDesk:
        return ReplenDesk(person, self.floor.uow, self.read_scan, self.floor.on_recorded)

    def refusals(self, person: Person) -> RefusalDesk:
        """The events the server refused from this station, for a person to see to."""
        return RefusalDesk(person.user_id, self.floor, self.view)
