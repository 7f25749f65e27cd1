"""The cycle-count use cases: request and schedule counts, count blind, approve variances."""

from __future__ import annotations

from datetime import datetime

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.services.counts.common import (
    CountPolicy,
    adjust,
    counted_positions,
    evaluate,
    finish,
    open_count,
    require_counter,
    send_recount,
)
from toteflow.contracts import counts as cc
from toteflow.domain.actor import Actor
from toteflow.domain.cycle_counts import location_class, units_off
from toteflow.domain.errors import NotFound, Refused
from toteflow.domain.roles import Permission


class CountService:
    def __init__(self, uow: UnitOfWorkFactory, policy: CountPolicy | None = None) -> None:
        self.uow = uow
        self.policy = policy or CountPolicy()

    def check_counter(self, actor: Actor) -> None:
        """Forbidden unless this person may count here."""
        require_counter(actor, self.policy)

    def request(self, actor: Actor, body: cc.CountRequest) -> cc.CountsCreated:
        """A supervisor's counts: a location, an aisle's locations, or those holding a SKU."""
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            ids = uow.counts.location_ids(body)
            if not ids:
                named = body.location or body.sku or f"aisle {body.aisle}"
                raise NotFound(f"no storage location to count for {named}")
            who = actor.name or f"user {actor.user_id}"
            created = uow.counts.open_counts(ids, "request", f"requested by {who}")
            tasks = uow.counts.tasks(created)
            detail = {"request": body.model_dump(mode="json"), "created": created}
            uow.audit.record(actor, "count.requested", "cycle_count", "", detail)
            uow.commit()
        return cc.CountsCreated(created=tasks, already_open=len(ids) - len(created))

    def schedule(self, actor: Actor, now: datetime) -> cc.CountsCreated:
        """Counts for every storage location due by its class (A, B, C intervals in config).

        Safe to run from several servers at once: a location has one live count at most, so
        a second run creates none of what the first did.
        """
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            due = [
                c.location_id
                for c in uow.counts.schedule_candidates()
                if self.policy.schedule.is_due(location_class(c.velocities), c.last_counted, now)
            ]
            created = uow.counts.open_counts(due, "schedule", f"scheduled {now.date()}")
            tasks = uow.counts.tasks(created)
            if created:  # a run that opens nothing (most background runs) writes nothing
                detail = {"created": created}
                uow.audit.record(actor, "count.scheduled", "cycle_count", "", detail)
            uow.commit()
        return cc.CountsCreated(created=tasks, already_open=len(due) - len(created))

    def open_counts(self, actor: Actor) -> list[cc.CountTask]:
        """What this person may count now, blind: no task carries a quantity."""
        require_counter(actor, self.policy)
        with self.uow() as uow:
            return uow.counts.open_for(actor.user_id)

    def finish(
        self, actor: Actor, count_id: int, body: cc.CountFinish, at: datetime
    ) -> cc.CountTask | None:
        """A count finished through the API, at the server's time; the recount it sent, if any."""
        require_counter(actor, self.policy)
        with self.uow() as uow:
            count = open_count(uow, actor, count_id)
            result = finish(uow, actor, self.policy, count, body.items, at)
            recount = result.get("recount")
            tasks = uow.counts.tasks([recount]) if recount else []
            uow.commit()
        return tasks[0] if tasks else None

    def listing(self, actor: Actor, status: str | None, limit: int) -> list[cc.CountView]:
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            return uow.counts.listing(status, limit)

    def view(self, actor: Actor, count_id: int) -> cc.CountView:
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            found = uow.counts.view(count_id)
        if found is None:
            raise NotFound(f"no count {count_id}")
        return found

    def decide(self, actor: Actor, count_id: int, body: cc.CountDecision) -> cc.CountView:
        """Approve (the book takes the count, audited, a ledger row per position) or reject
        (another person counts again). The variance is worked out again from the ledger: a
        move made before the count that arrived since is in the book now, not in the variance.
        """
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            count = uow.counts.get(count_id, lock=True)
            if count is None:
                raise NotFound(f"no count {count_id}")
            if count.status != "awaiting_approval" or count.counted_at is None:
                words = count.status.replace("_", " ")
                raise Refused(f"count {count_id} at {count.location} is {words}, not awaiting")
            view = uow.counts.view(count_id)
            assert view is not None
            items = [
                cc.CountedItem(sku=ln.sku, lot=ln.lot, expiry=ln.expiry, quantity=ln.counted)
                for ln in view.lines
                if ln.counted
            ]
            counted = counted_positions(uow, items)
            found = evaluate(uow, count, counted, count.counted_at)
            off = units_off(found)
            uow.counts.resave_lines(count_id, found, off)
            note = body.note or ("approved" if body.approve else "rejected")
            if body.approve:
                adjust(uow, actor, count, found, count.counted_at)
                outcome = "adjusted" if off else "accurate"
                uow.counts.close(
                    count_id, status="closed", outcome=outcome, decided_by=actor.user_id, note=note
                )
                detail = {"location": count.location, "units_off": off, "approved": True}
            else:
                uow.counts.close(
                    count_id,
                    status="closed",
                    outcome="rejected",
                    decided_by=actor.user_id,
                    note=note,
                )
                recount = send_recount(uow, count, count.counter_id)
                detail = {"location": count.location, "approved": False, "recount": recount}
            uow.audit.record(actor, "count.decided", "cycle_count", str(count_id), detail)
            uow.commit()
            decided = uow.counts.view(count_id)
        assert decided is not None
        return decided

    def accuracy(self, actor: Actor) -> cc.AccuracyReport:
        """Locations whose count (as finally decided) found no variance, by zone and class."""
        actor.require(Permission.MANAGE_COUNTS)
        with self.uow() as uow:
            rows = uow.counts.accuracy()
        counted = sum(r.counted for r in rows)
        accurate = sum(r.accurate for r in rows)
        return cc.AccuracyReport(rows=rows, counted=counted, accurate=accurate)
