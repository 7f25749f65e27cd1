"""Floor actions at the station: each commits its local change and its outbox event together."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from toteflow.contracts.tasks import Task
from toteflow.domain import picking
from toteflow.domain.errors import NotFound, Refused
from toteflow.station.ports.store import (
    LineView,
    Notice,
    OutboxEvent,
    StationException,
    StationIdentity,
    StationUnitOfWork,
    StationUnitOfWorkFactory,
    SyncState,
    TaskServer,
)
from toteflow.station.services import registry
from toteflow.station.services.sync import store_task

LocalChange = Callable[[StationUnitOfWork], None]
Clock = Callable[[], datetime]

# The events that record what was taken from a shelf (or found missing there).
PICK_EVENTS = ("pick.confirmed", "pick.shorted", "pick.undone")


def utcnow() -> datetime:
    return datetime.now(UTC)


def record(
    uow: StationUnitOfWork,
    user_id: int | None,
    type: str,
    payload: dict[str, Any],
    local_change: LocalChange | None = None,
    *,
    now: Clock = utcnow,
    event_id: UUID | None = None,
) -> OutboxEvent:
    """Apply `local_change` and append its event (next seq, new UUID) in `uow`; no commit.

    `event_id`: the id drawn beforehand, when the payload names it (a case without its own
    identity is known by its event's id).

    The caller commits, and acknowledges the scan only after commit() returns: then the
    change and its event are on disk together, or neither is.
    """
    if local_change is not None:
        local_change(uow)
    draft = OutboxEvent(
        seq=uow.sync.take_seq(),
        id=event_id or uuid4(),
        user_id=user_id,
        type=type,
        payload=payload,
        station_time=now(),
    )
    try:
        # Checked against the wire model now: an event the server would refuse as malformed
        # (422) would otherwise sit at the head of the outbox and block every later one.
        wire = draft.to_wire()
    except ValidationError as exc:
        raise ValueError(f"event {type} is not valid: {exc.errors()[0]['msg']}") from None
    # Stored as JSON would send it, so what is pushed later is exactly what was checked.
    event = OutboxEvent(
        seq=draft.seq,
        id=draft.id,
        user_id=user_id,
        type=type,
        payload=wire.model_dump(mode="json")["payload"],
        station_time=draft.station_time,
    )
    uow.outbox.add(event)
    return event


def _progress(view: LineView) -> picking.LineProgress:
    line = view.line
    return picking.LineProgress(
        quantity=line.quantity,
        picked=line.picked,
        shorted=line.shorted,
        status=line.status,
        location=line.location,
        task_status=view.task_status,
    )


def _line(uow: StationUnitOfWork, line_id: int) -> LineView:
    view = uow.tasks.line(line_id)
    if view is None:
        raise NotFound(f"this station has no task line {line_id}")
    return view


def _task(uow: StationUnitOfWork, task_id: int) -> Task:
    task = uow.tasks.get(task_id)
    if task is None:
        raise NotFound(f"this station has no task {task_id}")
    return task


def _save(uow: StationUnitOfWork, line_id: int, progress: picking.LineProgress) -> None:
    uow.tasks.set_line(
        line_id, picked=progress.picked, shorted=progress.shorted, status=progress.status
    )


class FloorActions:
    """The floor's use cases: each returns the recorded event once it is safely on disk."""

    def __init__(
        self,
        uow: StationUnitOfWorkFactory,
        *,
        clock: Clock = utcnow,
        on_recorded: Callable[[], None] | None = None,
    ) -> None:
        self.uow = uow
        self.clock = clock
        # Usually SyncWorker.wake: push now rather than at the next interval.
        self.on_recorded = on_recorded

    def _act(
        self,
        user_id: int | None,
        type: str,
        build: Callable[[StationUnitOfWork], dict[str, Any]],
    ) -> OutboxEvent:
        try:
            with self.uow() as uow:
                payload = build(uow)
                event = record(uow, user_id, type, payload, now=self.clock)
                uow.commit()
        except picking.PickRefused as refusal:
            raise Refused(str(refusal)) from None
        if self.on_recorded is not None:
            self.on_recorded()
        return event

    def confirm_pick(
        self,
        user_id: int | None,
        line_id: int,
        quantity: int,
        *,
        tote: str | None = None,
        lot: str | None = None,
        expiry: date | None = None,
        keyed: int = 0,
    ) -> OutboxEvent:
        """`quantity` units taken from the line's location (into `tote`, when scanned).

        `keyed`: how many of them were typed in (the SKU) rather than scanned.
        """

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            view = _line(uow, line_id)
            _save(uow, line_id, picking.confirm(_progress(view), quantity))
            picked_expiry = expiry or view.line.expiry
            payload: dict[str, Any] = {
                "task_line_id": line_id,
                "task_id": view.task_id,
                "quantity": quantity,
                "location": view.line.location,
                "lot": view.line.lot if lot is None else lot,
                "expiry": picked_expiry.isoformat() if picked_expiry else None,
                "tote": tote,
            }
            if keyed:
                payload["keyed"] = min(keyed, quantity)
            return payload

        return self._act(user_id, "pick.confirmed", build)

    def short_pick(
        self, user_id: int | None, line_id: int, reason: str = "not_found"
    ) -> OutboxEvent:
        """Every unit still open on the line is missing (`empty`, `damaged` or `not_found`)."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            view = _line(uow, line_id)
            progress, missing = picking.short(_progress(view), reason)
            _save(uow, line_id, progress)
            return {
                "task_line_id": line_id,
                "task_id": view.task_id,
                "missing": missing,
                "found": view.line.picked,
                "reason": reason,
                "location": view.line.location,
            }

        return self._act(user_id, "pick.shorted", build)

    def undo_pick(self, user_id: int | None, undoes: UUID) -> OutboxEvent:
        """Take back an earlier pick.confirmed whole: the compensating event, never a delete."""

        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            original = uow.outbox.get(undoes)
            if original is None or original.type != "pick.confirmed":
                raise NotFound("there is no pick to undo with that id at this station")
            if uow.outbox.undoing(undoes) is not None:
                raise picking.PickRefused("this pick was already undone")
            line_id = int(original.payload["task_line_id"])
            quantity = int(original.payload["quantity"])
            view = _line(uow, line_id)
            _save(uow, line_id, picking.undo(_progress(view), quantity))
            return {
                "task_line_id": line_id,
                "task_id": view.task_id,
                "quantity": quantity,
                "undoes": str(undoes),
                "location": view.line.location,
            }

        return self._act(user_id, "pick.undone", build)

    def assign_tote(self, user_id: int | None, task_id: int, slot: int, tote: str) -> OutboxEvent:
        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            _task(uow, task_id)
            container = uow.tasks.container(task_id, slot)
            if container is None:
                raise NotFound(f"task {task_id} has no slot {slot}")
            elsewhere = uow.tasks.slot_of_tote(task_id, tote)
            picking.assign_tote(
                container.status, container.tote, tote, None if elsewhere == slot else elsewhere
            )
            registry.take_tote(uow, task_id, slot, tote, container.order_reference)
            uow.tasks.set_container(task_id, slot, tote=tote, status="open")
            return {"task_id": task_id, "slot": slot, "tote": tote}

        return self._act(user_id, "tote.assigned", build)

    def close_tote(
        self, user_id: int | None, task_id: int, slot: int, tote: str, destination: str = "pack"
    ) -> OutboxEvent:
        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            _task(uow, task_id)
            container = uow.tasks.container(task_id, slot)
            if container is None:
                raise NotFound(f"task {task_id} has no slot {slot}")
            picking.close_tote(container.status, container.tote, tote)
            registry.close_tote(uow, task_id, slot, tote, destination)
            uow.tasks.set_container(
                task_id, slot, tote=tote, status="closed", destination=destination
            )
            return {"task_id": task_id, "slot": slot, "tote": tote, "destination": destination}

        return self._act(user_id, "tote.closed", build)

    def assign_cart(self, user_id: int | None, task_id: int, cart: str) -> OutboxEvent | None:
        """The cart scanned at set-up is taken for the task; None if it was already."""
        with self.uow() as uow:
            _task(uow, task_id)
            if not registry.take_cart(uow, task_id, cart):
                return None
            event = record(
                uow, user_id, "cart.assigned", {"task_id": task_id, "cart": cart}, now=self.clock
            )
            uow.commit()
        if self.on_recorded is not None:
            self.on_recorded()
        return event

    def _move(self, user_id: int | None, task_id: int, target: str, type: str) -> OutboxEvent:
        def build(uow: StationUnitOfWork) -> dict[str, Any]:
            task = _task(uow, task_id)
            open_lines = uow.tasks.open_lines(task_id) if target == "done" else 0
            uow.tasks.set_task_status(
                task_id, picking.move_task(task.status, target, open_lines=open_lines)
            )
            if target == "done":
                # As the server does when it applies the event: cart and empty totes free.
                uow.containers.free_of_task(task_id)
            return {"task_id": task_id}

        return self._act(user_id, type, build)

    def start_task(self, user_id: int | None, task_id: int) -> OutboxEvent:
        return self._move(user_id, task_id, "in_progress", "task.started")

    def pause_task(self, user_id: int | None, task_id: int) -> OutboxEvent:
        return self._move(user_id, task_id, "paused", "task.paused")

    def complete_task(self, user_id: int | None, task_id: int) -> OutboxEvent:
        return self._move(user_id, task_id, "done", "task.completed")


class StationView:
    """What screens read from the station store, and the few local-only updates."""

    def __init__(self, uow: StationUnitOfWorkFactory, *, clock: Clock = utcnow) -> None:
        self.uow = uow
        self.clock = clock

    def identity(self) -> StationIdentity | None:
        with self.uow() as uow:
            return uow.identity.get()

    def sync_state(self) -> SyncState:
        with self.uow() as uow:
            return uow.sync.get()

    def events_waiting(self) -> int:
        with self.uow() as uow:
            return uow.outbox.count_pending()

    def tasks(self, user_id: int | None = None) -> list[Task]:
        with self.uow() as uow:
            return uow.tasks.held(user_id)

    def task(self, task_id: int) -> Task | None:
        with self.uow() as uow:
            return uow.tasks.get(task_id)

    def last_pick(self, task_id: int) -> OutboxEvent | None:
        """The last pick, short or undo this station committed for the task: after a restart
        the picker sees it, and does not scan again what is already recorded."""
        with self.uow() as uow:
            return uow.outbox.last_of_task(task_id, PICK_EVENTS)

    def store_task(self, task: Task) -> None:
        """Keep a task handed out by the server (tasks/next) so it can be finished offline."""
        with self.uow() as uow:
            store_task(uow, task)
            uow.commit()

    def free_totes(self, limit: int, exclude: Collection[str] = ()) -> list[str]:
        """Registered totes free for any order, as this station's copy of the registry says."""
        with self.uow() as uow:
            return uow.containers.free_totes(limit, exclude)

    def notices(self, task_id: int | None = None) -> list[Notice]:
        with self.uow() as uow:
            return uow.notices.pending(task_id)

    def notice_seen(self, notice_id: int) -> None:
        with self.uow() as uow:
            uow.notices.mark_seen(notice_id)
            uow.commit()

    def exceptions(self, *, open_only: bool = True) -> list[StationException]:
        with self.uow() as uow:
            return uow.exceptions.list(open_only=open_only)

    def resolve_exception(
        self, exception_id: int, user_id: int | None, resolution: str
    ) -> StationException:
        """A person says what they did about a rejected event (e.g. put units back)."""
        if not resolution.strip():
            raise Refused("say what was done, e.g. 'put 2 back at 05-017-2'")
        with self.uow() as uow:
            found = uow.exceptions.get(exception_id)
            if found is None:
                raise NotFound(f"no exception {exception_id} at this station")
            if found.resolved:
                raise Refused(f"exception {exception_id} is already resolved")
            uow.exceptions.resolve(exception_id, user_id, resolution.strip(), self.clock())
            uow.commit()
            resolved = uow.exceptions.get(exception_id)
        assert resolved is not None
        return resolved


async def take_next_task(server: TaskServer, view: StationView, session_token: str) -> Task | None:
    """Ask the server for the person's next task and keep it locally before showing it."""
    task = await server.next_task(session_token)
    if task is not None:
        view.store_task(task)
    return task
