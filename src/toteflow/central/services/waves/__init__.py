"""Wave use cases, one service per family; `wave_services` composes them on one site policy.

building: the pool, templates, filters, previews, planned waves; release: allocation, batching
and routing, the tasks written; control: hold, resume, cancel, tasks taken back or given on;
progress: following a wave; floor_exceptions and reallocation: short units found elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.services.waves.building import WaveBuildingService
from toteflow.central.services.waves.common import Clock, WavePolicy, utc_now
from toteflow.central.services.waves.control import FloorControlService
from toteflow.central.services.waves.floor_exceptions import FloorExceptionService
from toteflow.central.services.waves.planner import WavePlanner
from toteflow.central.services.waves.progress import WaveProgressService
from toteflow.central.services.waves.reallocation import ReallocationService
from toteflow.central.services.waves.release import ReleaseHook, WaveReleaseService
from toteflow.contracts import waves as wv
from toteflow.domain.batching import Router, route_all
from toteflow.domain.layout import Layout

__all__ = [
    "FloorControlService",
    "FloorExceptionService",
    "ReallocationService",
    "ReleaseHook",
    "WaveBuildingService",
    "WavePlanner",
    "WavePolicy",
    "WaveProgressService",
    "WaveReleaseService",
    "WaveServices",
    "wave_services",
]


@dataclass(frozen=True)
class WaveServices:
    """The wave use cases of one site; building and release share one planner."""

    planner: WavePlanner
    building: WaveBuildingService
    release: WaveReleaseService
    control: FloorControlService
    progress: WaveProgressService
    exceptions: FloorExceptionService
    reallocation: ReallocationService


def wave_services(
    uow: UnitOfWorkFactory,
    layout: Callable[[], Layout],
    templates: Sequence[wv.WaveTemplate] = (),
    policy: WavePolicy | None = None,
    clock: Clock = utc_now,
    router: Router = route_all,
    after_release: ReleaseHook | None = None,
) -> WaveServices:
    planner = WavePlanner(layout, policy, clock, router)
    reallocation = ReallocationService(layout, clock)
    return WaveServices(
        planner=planner,
        building=WaveBuildingService(uow, planner, templates),
        release=WaveReleaseService(uow, planner, after_release),
        control=FloorControlService(uow, clock),
        progress=WaveProgressService(uow, clock),
        exceptions=FloorExceptionService(uow, reallocation, clock),
        reallocation=reallocation,
    )
