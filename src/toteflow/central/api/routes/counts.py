"""Cycle counts: request and schedule counts, count blind, approve or reject variances."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from toteflow.central.api.deps import ActorDep, ServicesDep, requires
from toteflow.contracts import counts as cc
from toteflow.contracts.common import INT4_MAX
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(tags=["counts"])
Supervisor = Annotated[Actor, Depends(requires(Permission.MANAGE_COUNTS))]
CountId = Annotated[int, Path(ge=1, le=INT4_MAX)]


def _counter(services: ServicesDep, actor: ActorDep) -> Actor:
    # Decided before the body is read, like every role check: counters and supervisors, or
    # anyone logged in where `[counts] anyone_may_count` is on.
    services.counts.check_counter(actor)
    return actor


Counter = Annotated[Actor, Depends(_counter)]


@router.post("/counts/requests", status_code=201)
def request_counts(
    services: ServicesDep, actor: Supervisor, body: cc.CountRequest
) -> cc.CountsCreated:
    """Count a location, every storage location of an aisle, or every one holding a SKU; a
    location that has a live count already keeps that one (`already_open`)."""
    return services.counts.request(actor, body)


@router.post("/counts/schedule")
def schedule_counts(services: ServicesDep, actor: Supervisor) -> cc.CountsCreated:
    """Open the counts due by velocity class (`[counts] a_days`, `b_days`, `c_days`)."""
    return services.counts.schedule(actor, datetime.now(UTC))


@router.get("/counts/open")
def open_counts(services: ServicesDep, actor: Counter) -> list[cc.CountTask]:
    """Counts this person may do: blind, no quantity is sent (counters, supervisors, or
    anyone with `[counts] anyone_may_count`). A recount is not offered to its first counter."""
    return services.counts.open_counts(actor)


@router.post("/counts/{count_id}/finish")
def finish_count(
    services: ServicesDep, actor: Counter, count_id: CountId, body: cc.CountFinish
) -> cc.CountTask | None:
    """What was counted at the location (every SKU found; one not listed was not there).
    Answers the recount it sent, if the variance was over `[counts] recount_units`."""
    return services.counts.finish(actor, count_id, body, datetime.now(UTC))


@router.get("/counts")
def list_counts(
    services: ServicesDep,
    actor: Supervisor,
    status: Annotated[
        Literal["open", "awaiting_approval", "closed", "cancelled"] | None, Query()
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[cc.CountView]:
    """Counts with their book and variances, for supervisors (`status=awaiting_approval`)."""
    return services.counts.listing(actor, status, limit)


@router.get("/counts/accuracy")
def accuracy(services: ServicesDep, actor: Supervisor) -> cc.AccuracyReport:
    """Locations counted without variance, per zone and velocity class."""
    return services.counts.accuracy(actor)


@router.get("/counts/{count_id}")
def get_count(services: ServicesDep, actor: Supervisor, count_id: CountId) -> cc.CountView:
    return services.counts.view(actor, count_id)


@router.post("/counts/{count_id}/decision")
def decide(
    services: ServicesDep, actor: Supervisor, count_id: CountId, body: cc.CountDecision
) -> cc.CountView:
    """Approve a variance (the book takes the count, audited) or reject it (a recount)."""
    return services.counts.decide(actor, count_id, body)
