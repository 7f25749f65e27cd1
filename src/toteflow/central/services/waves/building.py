"""Building waves: the pool, templates and filters, a preview, a planned wave; reading them."""

from __future__ import annotations

from collections.abc import Sequence

from toteflow.central.ports.repos import UnitOfWork, UnitOfWorkFactory
from toteflow.central.services.waves.common import Spec, existing, say, stored_spec, wave_view
from toteflow.central.services.waves.planner import WavePlanner
from toteflow.central.services.waves.selection import nothing_matches, pool_view
from toteflow.contracts import waves as wv
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.errors import Conflict, NotFound, Refused
from toteflow.domain.roles import Permission


class WaveBuildingService:
    """Waves as supervisors build them: from the pool, a template or filters, previewed first."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        planner: WavePlanner,
        templates: Sequence[wv.WaveTemplate] = (),
    ) -> None:
        self.uow = uow
        self.planner = planner
        self._templates = {t.name: t for t in templates}

    # reading ----------------------------------------------------------------------------

    def templates(self, actor: Actor) -> list[wv.WaveTemplate]:
        actor.require(Permission.READ_ORDERS)
        return list(self._templates.values())

    def pool(self, actor: Actor, filters: wv.WaveFilters | None = None) -> wv.Pool:
        """Received orders a wave with these filters would take, by carrier, service and
        ship-by date, with what each filter left out: the orders a preview starts from."""
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return pool_view(self.planner.select(uow, filters or wv.WaveFilters()))

    def get(self, actor: Actor, wave_id: int) -> wv.Wave:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return wave_view(existing(uow, wave_id))

    def find(self, actor: Actor, status: str | None, offset: int, limit: int) -> Page[wv.Wave]:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            rows, total = uow.waves.find(status, offset, limit)
        return Page(items=[wave_view(r) for r in rows], total=total, offset=offset, limit=limit)

    # building ---------------------------------------------------------------------------

    def create(self, actor: Actor, body: wv.WaveCreate) -> wv.Wave:
        """A planned wave: its filters are applied when it is previewed and released; one
        that no waiting order matches is refused."""
        actor.require(Permission.MANAGE_WAVES)
        spec = self._spec(body)
        with self.uow() as uow:
            name = body.name or self._new_name(uow, spec.template)
            if uow.waves.name_taken(name):
                raise Conflict(f"a wave named {name} already exists")
            selection = self.planner.select(uow, spec.filters)
            if not selection.chosen:
                # A wave that could take nothing would only sit on the console as noise.
                raise Refused(f"{nothing_matches(selection)}: no wave was created")
            wave_id = uow.waves.add(name, spec.strategy, spec.stored(), actor.user_id)
            uow.audit.record(actor, "wave.created", "wave", name, spec.stored())
            uow.commit()
            return wave_view(existing(uow, wave_id))

    def preview_spec(self, actor: Actor, body: wv.WaveCreate) -> wv.WavePreview:
        """What a wave with these filters would release now; nothing is stored."""
        actor.require(Permission.MANAGE_WAVES)
        spec = self._spec(body)
        with self.uow() as uow:
            return self.planner.figures(self.planner.plan(uow, spec, lock=False), spec)

    def preview(self, actor: Actor, wave_id: int) -> wv.WavePreview:
        actor.require(Permission.MANAGE_WAVES)
        with self.uow() as uow:
            row = existing(uow, wave_id)
            if row.status != "planned":
                raise Refused(
                    f"wave {row.name} is {say(row.status)}: only a planned wave is previewed"
                )
            spec = stored_spec(row)
            return self.planner.figures(self.planner.plan(uow, spec, lock=False), spec)

    def _spec(self, body: wv.WaveCreate) -> Spec:
        template = None
        if body.template is not None:
            template = self._templates.get(body.template)
            if template is None:
                known = ", ".join(sorted(self._templates)) or "none are configured"
                raise NotFound(f"no wave template {body.template} (known: {known})")
        filters = template.filters if template else wv.WaveFilters()
        if body.filters is not None:
            filters = filters.model_copy(update=body.filters.model_dump(exclude_unset=True))
        strategy = body.strategy or (template.strategy if template else None)
        cart = body.cart or (template.cart if template else None)
        return Spec(
            filters=filters,
            strategy=strategy or self.planner.policy.strategy,
            cart=cart or self.planner.policy.cart,
            template=template.name if template else None,
        )

    def _new_name(self, uow: UnitOfWork, template: str | None) -> str:
        base = f"{template or 'wave'}-{self.planner.clock().astimezone():%Y%m%d-%H%M%S}"
        name, n = base, 1
        while uow.waves.name_taken(name):
            n += 1
            name = f"{base}-{n}"
        return name
