"""Pick tasks: the next one for the person at this station, or one by id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response

from toteflow.central.api.deps import ServicesDep, requires
from toteflow.contracts import tasks as tk
from toteflow.domain.actor import Actor
from toteflow.domain.roles import Permission

router = APIRouter(prefix="/tasks", tags=["tasks"])
Picker = Annotated[Actor, Depends(requires(Permission.PICK))]
Reader = Annotated[Actor, Depends(requires(Permission.READ_ORDERS))]
# Ids are 32-bit in the database: a larger number is bad input (422), not a database error.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.post(
    "/next",
    response_model=tk.Task,
    responses={204: {"description": "No task is waiting"}},
)
def next_task(services: ServicesDep, actor: Picker) -> tk.Task | Response:
    """Assign the next ready task to this person at this station."""
    task = services.tasks.next(actor)
    return task if task is not None else Response(status_code=204)


@router.get("/{task_id}")
def get_task(services: ServicesDep, actor: Reader, task_id: Id) -> tk.Task:
    return services.tasks.get(actor, task_id)
