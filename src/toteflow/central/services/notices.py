"""Use cases for inbound notices: create (one or a batch), read, find by SSCC, cancel."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.notice_checks import check_notice, skus_of, unit_sizes
from toteflow.contracts import notices as n
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.roles import Permission

# The change that carries a notice to the stations: the whole notice, as the API shows it.
NOTICE_CHANGE = "notice.updated"
# How a problem's field is named: (position among the notices written, field) -> name.
Named = Callable[[int, str], str]


class NoticeRefused(Refused):
    """A notice (or a batch) that disagrees with the catalogue or other notices; nothing is
    written. str() names each field and what is wrong with it."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:20]) + (" ..." if len(self.problems) > 20 else "")
        super().__init__(shown)


# A site with nothing in [receiving]: no blind receipts, no over-receipt.
DEFAULT_POLICY = n.ReceivingPolicy(blind_receipts=False, over_tolerance_pct=0.0, suppliers={})


class NoticeService:
    def __init__(self, uow: UnitOfWorkFactory, policy: n.ReceivingPolicy = DEFAULT_POLICY) -> None:
        self.uow = uow
        self._policy = policy

    def policy(self) -> n.ReceivingPolicy:
        """The site's receiving settings (blind receipts, tolerances) for the stations."""
        return self._policy

    def create(self, actor: Actor, notice: n.NoticeCreate) -> n.Notice:
        actor.require(Permission.MANAGE_NOTICES)
        with self.uow() as uow:
            if uow.notices.existing_references([notice.reference]):
                raise Conflict(f"a notice with reference {notice.reference} already exists")
            self._write(uow, actor, [notice], lambda _i, where: where)
            uow.commit()
            created = uow.notices.get(notice.reference)
        assert created is not None
        return created

    def create_many(self, actor: Actor, batch: n.NoticeBatch) -> n.NoticeBatchResult:
        """Create the notices whose references are new; the others are left as they are."""
        return self.create_all(actor, batch.notices)

    def create_all(self, actor: Actor, notices: Sequence[n.NoticeCreate]) -> n.NoticeBatchResult:
        """create_many() for a list already checked (the import's batches): one transaction,
        all of the new notices or, if any of them is refused, none."""
        actor.require(Permission.MANAGE_NOTICES)
        with self.uow() as uow:
            present = uow.notices.existing_references([x.reference for x in notices])
            new = [x for x in notices if x.reference not in present]
            if new:
                at = {x.reference: k for k, x in enumerate(notices)}

                def named(i: int, where: str) -> str:
                    return f"notices.{at[new[i].reference]}.{where} ({new[i].reference})"

                self._write(uow, actor, new, named)
            uow.commit()
        made = {x.reference for x in new}
        return n.NoticeBatchResult(
            created=[x.reference for x in new],
            already_present=[x.reference for x in notices if x.reference not in made],
        )

    def _write(
        self,
        uow: UnitOfWork,
        actor: Actor,
        notices: Sequence[n.NoticeCreate],
        named: Named,
    ) -> None:
        units = uow.notices.units_of(skus_of(notices))
        kinds = uow.notices.location_kinds([x.dock for x in notices if x.dock])
        problems = [
            f"{named(i, problem.where)}: {problem.message}"
            for i, notice in enumerate(notices)
            for problem in check_notice(notice, units, kinds)
        ]
        problems += _sscc_clashes(uow, notices, named)
        if problems:
            raise NoticeRefused(problems)
        uow.notices.add_many(notices, unit_sizes(notices, units))
        uow.audit.record_many(
            actor,
            "notice.created",
            "notice",
            [(notice.reference, notice.model_dump_json()) for notice in notices],
        )
        for notice in notices:
            stored = uow.notices.get(notice.reference)
            assert stored is not None
            tell_stations(uow, stored)

    def get(self, actor: Actor, reference: str) -> n.Notice:
        actor.require(Permission.READ_NOTICES)
        with self.uow() as uow:
            return _existing(uow, reference)

    def by_sscc(self, actor: Actor, sscc: str) -> n.Notice:
        actor.require(Permission.READ_NOTICES)
        with self.uow() as uow:
            found = uow.notices.by_sscc(sscc)
        if found is None:
            raise NotFound(f"no notice carries SSCC {sscc}")
        return found

    def find(
        self, actor: Actor, filters: n.NoticeFilter, offset: int, limit: int
    ) -> Page[n.Notice]:
        actor.require(Permission.READ_NOTICES)
        with self.uow() as uow:
            return uow.notices.find(filters, offset, limit)

    def cancel(self, actor: Actor, reference: str, reason: str) -> n.Notice:
        actor.require(Permission.MANAGE_NOTICES)
        with self.uow() as uow:
            notice = _existing(uow, reference, lock=True)
            if notice.status not in n.OPEN_STATUSES:
                raise Refused(
                    f"notice {reference}: a notice that is {notice.status.value} cannot be "
                    "cancelled"
                )
            uow.notices.set_status(notice.id, n.NoticeStatus.CANCELLED, reason=reason)
            uow.audit.record(
                actor,
                "notice.cancelled",
                "notice",
                reference,
                {"from": notice.status.value, "to": "cancelled", "reason": reason},
            )
            cancelled = _existing(uow, reference)
            tell_stations(uow, cancelled)
            uow.commit()
        return cancelled


def _sscc_clashes(uow: UnitOfWork, notices: Sequence[n.NoticeCreate], named: Named) -> list[str]:
    """An SSCC names one pallet or case for good: never on two notices."""
    problems: list[str] = []
    first: dict[str, str] = {}
    for i, notice in enumerate(notices):
        for j, sscc in enumerate(notice.ssccs):
            if sscc.sscc in first:
                problems.append(
                    f"{named(i, f'ssccs.{j}.sscc')}: SSCC {sscc.sscc} is on notice "
                    f"{first[sscc.sscc]} of this batch too"
                )
            first.setdefault(sscc.sscc, notice.reference)
    taken = uow.notices.taken_ssccs(sorted(first))
    for i, notice in enumerate(notices):
        for j, sscc in enumerate(notice.ssccs):
            if sscc.sscc in taken:
                problems.append(
                    f"{named(i, f'ssccs.{j}.sscc')}: SSCC {sscc.sscc} is already on notice "
                    f"{taken[sscc.sscc]}"
                )
    return problems


def _existing(uow: UnitOfWork, reference: str, *, lock: bool = False) -> n.Notice:
    notice = uow.notices.get(reference, lock=lock)
    if notice is None:
        raise NotFound(f"no notice with reference {reference}")
    return notice


def tell_stations(uow: UnitOfWork, notice: n.Notice) -> None:
    # Every station: receiving works offline from the station's copy; a closed or cancelled
    # notice in the feed takes it out of that copy.
    uow.feed.add_change(NOTICE_CHANGE, "notice", notice.reference, notice.model_dump(mode="json"))
