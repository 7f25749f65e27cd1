"""One station mode per role: the home screen a person lands on after logging in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.screen import Screen

from toteflow.domain.roles import Role
from toteflow.station.services.bundle import StationServices
from toteflow.station.services.login import Person
from toteflow.station.tui.screens.count_home import CountHomeScreen
from toteflow.station.tui.screens.pack_home import PackHomeScreen
from toteflow.station.tui.screens.picker_home import PickerHomeScreen
from toteflow.station.tui.screens.receive_home import ReceiveHomeScreen
from toteflow.station.tui.screens.replenish import ReplenishScreen
from toteflow.station.tui.screens.supervisor_console import supervisor_home


@dataclass(frozen=True)
class RoleMode:
    """A Textual mode (its own screen stack) for the people of one role."""

    name: str
    home: Callable[[StationServices, Person], Screen[None]]


# One entry per role that works at a station; admins use the API and the CLI.
ROLE_MODES: dict[Role, RoleMode] = {
    Role.PICKER: RoleMode("picker", lambda services, person: PickerHomeScreen(services, person)),
    Role.PACKER: RoleMode("packer", lambda services, person: PackHomeScreen(services, person)),
    Role.SUPERVISOR: RoleMode("supervisor", supervisor_home),
    Role.RECEIVER: RoleMode(
        "receiver", lambda services, person: ReceiveHomeScreen(services, person)
    ),
    Role.COUNTER: RoleMode("counter", lambda services, person: CountHomeScreen(services, person)),
    Role.REPLENISHER: RoleMode(
        "replenisher", lambda services, person: ReplenishScreen(services, person, home=True)
    ),
}


def mode_for(role: Role) -> RoleMode | None:
    return ROLE_MODES.get(role)
