"""Waves, floor exceptions and task reassignment, for supervisors and integrations."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from toteflow.central.api.deps import PagingDep, ServicesDep, requires
from toteflow.contracts import tasks as tk
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.contracts.orders import Reason
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["waves"])
Reader = Annotated[Actor, Depends(requires(Permission.READ_ORDERS))]
Supervisor = Annotated[Actor, Depends(requires(Permission.MANAGE_WAVES))]
# Ids are 32-bit in the database: a larger number is bad input (422), not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/waves")
def list_waves(
    services: ServicesDep, actor: Reader, paging: PagingDep, status: wv.WaveStatus | None = None
) -> Page[wv.Wave]:
    """Waves, newest first."""
    return services.waves.find(actor, status, paging.offset, paging.limit)


@router.post("/waves", status_code=201)
def create_wave(services: ServicesDep, actor: Supervisor, body: wv.WaveCreate) -> wv.Wave:
    """A planned wave from a template, from filters, or a template with filters overridden."""
    return services.waves.create(actor, body)


@router.get("/waves/templates")
def wave_templates(services: ServicesDep, actor: Reader) -> list[wv.WaveTemplate]:
    """The wave templates configured for this site (config/waves.toml)."""
    return services.waves.templates(actor)


@router.get("/waves/pool")
def order_pool(
    services: ServicesDep, actor: Reader, query: Annotated[wv.PoolQuery, Query()]
) -> wv.Pool:
    """Received orders waiting for a wave, counted by carrier, service and ship-by date.

    The query takes the wave filters (`?carrier=UPS&profile=multi_line&max_lines=5`,
    `priorities` and `zones` repeated): the groups then count the orders a wave with those
    filters would take, the same ones its preview starts from, and `left_out` says how many
    each filter left out. Without filters it is the whole pool.
    """
    return services.waves.pool(actor, query.filters())


@router.post("/waves/preview")
def preview_filters(
    services: ServicesDep, actor: Supervisor, body: wv.WaveCreate
) -> wv.WavePreview:
    """What a wave with these filters would release now; nothing is stored."""
    return services.waves.preview_spec(actor, body)


@router.get("/waves/{wave_id}")
def get_wave(services: ServicesDep, actor: Reader, wave_id: Id) -> wv.Wave:
    return services.waves.get(actor, wave_id)


@router.get("/waves/{wave_id}/preview")
def preview_wave(services: ServicesDep, actor: Supervisor, wave_id: Id) -> wv.WavePreview:
    """If released now: orders, lines, units, zones, shortages, carts, totes, distance, time."""
    return services.waves.preview(actor, wave_id)


@router.post("/waves/{wave_id}/release")
def release_wave(services: ServicesDep, actor: Supervisor, wave_id: Id) -> wv.WaveRelease:
    """Reserve stock, batch, route and create the tasks, in one transaction."""
    return services.wave_release.release(actor, wave_id)


@router.post("/waves/{wave_id}/cancel")
def cancel_wave(
    services: ServicesDep, actor: Supervisor, wave_id: Id, body: Reason
) -> wv.WaveCancelled:
    """Orders not yet picked go back to the pool and their stock is freed; picking ones finish."""
    return services.floor_control.cancel(actor, wave_id, body.reason)


@router.post("/waves/{wave_id}/hold")
def hold_wave(services: ServicesDep, actor: Supervisor, wave_id: Id, body: Reason) -> wv.Wave:
    """Hand out no more of the wave's tasks until it is resumed."""
    return services.floor_control.hold(actor, wave_id, body.reason)


@router.post("/waves/{wave_id}/resume")
def resume_wave(services: ServicesDep, actor: Supervisor, wave_id: Id) -> wv.Wave:
    return services.floor_control.resume(actor, wave_id)


@router.get("/waves/{wave_id}/progress")
def wave_progress(
    services: ServicesDep, actor: Reader, wave_id: Id, open_tasks: bool = True
) -> wv.WaveProgress:
    """Lines done per wave, zone and picker, and lines per hour; `open_tasks=false` leaves
    out the list of unfinished tasks (an overview of many waves does not need it)."""
    return services.wave_progress.progress(actor, wave_id, open_tasks=open_tasks)


@router.get("/exceptions")
def list_exceptions(
    services: ServicesDep,
    actor: Supervisor,
    paging: PagingDep,
    status: Annotated[
        Literal["open", "resolved", "all"],
        Query(description="open (the default: the queue to work), resolved, or all"),
    ] = "open",
    kind: Annotated[str | None, Query(max_length=30, pattern=r"^[a-z_]+$")] = None,
) -> Page[wv.FloorException]:
    """Short picks, shortages at release and rejected station events, newest first.

    Without `status` only the open ones are listed (the queue a supervisor works);
    `status=resolved` lists the resolved ones and `status=all` both.
    """
    wanted = None if status == "all" else status
    return services.exceptions.find(actor, wanted, kind, paging.offset, paging.limit)


@router.post("/exceptions/{exception_id}/resolve")
def resolve_exception(
    services: ServicesDep, actor: Supervisor, exception_id: Id, body: wv.ExceptionResolve
) -> wv.ExceptionResolved:
    """Close it, re-allocate the missing units now, or cut them from the order line."""
    return services.exceptions.resolve(actor, exception_id, body)


@router.get("/pickers")
def logged_in_pickers(services: ServicesDep, actor: Supervisor) -> list[wv.LoggedInPicker]:
    """People who may take pick tasks and are logged in at a station now (the newest log-in
    at that station, not ended or expired), by name: those a task can be given to."""
    return services.floor_control.pickers(actor)


@router.post("/tasks/{task_id}/unassign")
def unassign_task(
    services: ServicesDep, actor: Supervisor, task_id: Id, body: wv.TaskUnassign
) -> tk.Task:
    """Take a task back from its picker; their station is told."""
    return services.floor_control.unassign(actor, task_id, body.reason)


@router.post("/tasks/{task_id}/reassign")
def reassign_task(
    services: ServicesDep, actor: Supervisor, task_id: Id, body: wv.TaskReassign
) -> tk.Task:
    """Give a task to another picker, at the station they are logged in at."""
    return services.floor_control.reassign(actor, task_id, body.user_id, body.reason)
