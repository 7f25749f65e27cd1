"""A station app without a network: a real local store, a fake server, a fixed sync status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from toteflow.config import default_assets_dir, default_config_dir
from toteflow.contracts.catalogue import ProductUnit
from toteflow.contracts.tasks import Task, TaskContainer, TaskLine
from toteflow.domain.errors import Unauthenticated
from toteflow.domain.gs1 import with_check_digit
from toteflow.domain.roles import Role
from toteflow.shared.layout_file import load_layout
from toteflow.station.ports.store import SyncStatus
from toteflow.station.services import setup as station_setup
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.events import FloorActions, StationView
from toteflow.station.services.login import Person, StationLogin
from toteflow.station.store.migrate import open_store
from toteflow.station.store.uow import SqlStationUnitOfWorkFactory
from toteflow.station.tui.app import StationApp

PICKER = Person(7, "Pat Picker", "B00101", Role.PICKER, "session-token")


@dataclass
class FakeServer:
    """Log-in and tasks/next as the real server answers them, from memory."""

    tasks: list[Task] = field(default_factory=list)
    people: dict[str, Person] = field(default_factory=lambda: {PICKER.badge: PICKER})

    async def login(self, badge: str, pin: str | None) -> Person:
        person = self.people.get(badge)
        if person is None or pin != "1111":
            raise Unauthenticated("badge or PIN not recognised")
        return person

    async def logout(self, person: Person) -> None:
        return None

    async def next_task(self, session_token: str) -> Task | None:
        return self.tasks.pop(0) if self.tasks else None

    async def get_task(self, task_id: int, session_token: str) -> Task:
        raise Unauthenticated("not in this fake")


_NAMES = (
    ("Blue Steel Mug 350ml", "MUG-BLU-350"),
    ("Organic Green Tea 500g", "TEA-GRN-500"),
    ("Compact LED Desk Lamp", "LAMP-LED-C"),
    ("Travel Backpack 30L", "BAG-TRV-30"),
    ("Heavy-duty Hammer 16oz", "HAM-HD-16"),
    ("Sparkling Water 6-pack", "H2O-SPK-6"),
)


def line(task_id: int, n: int, location: str, quantity: int, slot: int, reference: str) -> TaskLine:
    description, sku = _NAMES[n % len(_NAMES)]
    aisle, bay, level = (int(part) for part in location.split("-"))
    return TaskLine(
        id=task_id * 1000 + n,
        stop_no=n,
        location=location,
        zone="ABCD"[(aisle - 1) // 5],
        aisle=aisle,
        bay=bay,
        level=level,
        sku=sku,
        description=description,
        units=[
            ProductUnit(
                uom="EA",
                units=1,
                barcode=with_check_digit(f"0614141{task_id % 100:02d}{n:03d}"),
                barcode_kind="gtin13",
            ),
            ProductUnit(
                uom="CS",
                units=12,
                barcode=with_check_digit(f"1061414{task_id % 100:02d}{n:03d}"),
                barcode_kind="gtin13",
            ),
        ],
        lot_tracked=False,
        expiry_tracked=False,
        lot_substitution=False,
        lot="",
        expiry=None,
        quantity=quantity,
        picked=0,
        shorted=0,
        slot=slot,
        order_reference=reference,
        status="open",
    )


def cart_task(task_id: int = 42) -> Task:
    """Four orders on cart C0001, six stops in route order."""
    refs = ["SO-1001", "SO-1002", "SO-1003", "SO-1004"]
    stops = [
        ("01-004-1", 2, 1),
        ("02-017-2", 1, 3),
        ("05-017-2", 4, 2),
        ("06-030-1", 1, 4),
        ("09-012-1", 3, 1),
        ("12-003-1", 2, 2),
    ]
    return Task(
        id=task_id,
        wave="W-0007",
        kind="cart",
        zone=None,
        status="assigned",
        cart="C0001",
        slots=4,
        distance_m=210.5,
        user_id=PICKER.user_id,
        station_id=1,
        assigned_at=datetime(2026, 11, 22, 8, 30, tzinfo=UTC),
        lines=[
            line(task_id, n, loc, qty, slot, refs[slot - 1])
            for n, (loc, qty, slot) in enumerate(stops, start=1)
        ],
        containers=[
            TaskContainer(slot=s, order_reference=refs[s - 1], tote=None, status="open")
            for s in range(1, 5)
        ],
    )


def offline_app(folder: Path, tasks: list[Task], *, demo: bool = True) -> StationApp:
    """A station app on a fresh registered store; the server is FakeServer."""
    engine = open_store(folder / "station.db")
    uow = SqlStationUnitOfWorkFactory(engine)
    station_setup.register(
        uow,
        station_id=1,
        name="pick-01",
        server_url="http://server.test",
        token="token-0123456789",
        server_last_seq=0,
    )
    server = FakeServer(list(tasks))
    services = StationServices(
        login=StationLogin(server, pin_required=True),
        floor=FloorActions(uow),
        view=StationView(uow),
        tasks=server,
        layout=load_layout(default_config_dir() / "warehouse.toml"),
        today=lambda: date(2026, 11, 22),
    )
    app = StationApp(
        services, css_path=default_assets_dir() / "station.tcss", tune_gc=False, demo=demo
    )
    # A status that never changes, so screenshots do not depend on timing.
    app.sync_status = SyncStatus("online")
    return app
