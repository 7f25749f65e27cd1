"""Shipping on the server: SSCC blocks, pack orders, shipments, manifests, CSV, labels."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from toteflow.central.ports.repos import UnitOfWorkFactory
from toteflow.central.ports.shipping import LabelRenderer
from toteflow.contracts import shipping as sh
from toteflow.contracts.common import Page
from toteflow.domain.actor import Actor
from toteflow.domain.carriers import CarrierRules
from toteflow.domain.errors import Forbidden, NotFound, Refused
from toteflow.domain.labels import Address, ShippingLabel
from toteflow.domain.roles import Permission, allows
from toteflow.shared.csv_cells import SafeCsvWriter

Clock = Callable[[], datetime]
CSV_COLUMNS = (
    "shipment_id",
    "order_reference",
    "status",
    "carrier",
    "service",
    "box_no",
    "box_code",
    "sscc",
    "tracking",
    "weight_kg",
    "length_mm",
    "width_mm",
    "height_mm",
    "contents",
    "cost",
    "partial",
    "packed_at",
    "shipped_at",
    "manifest_id",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ShippingPolicy:
    company_prefix: str
    extension_digit: int
    block_size: int
    ship_from: Address
    webhook_url: str = ""
    rules: CarrierRules = field(default_factory=lambda: CarrierRules((), ()))


class ShippingService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: ShippingPolicy,
        renderer: LabelRenderer | None = None,
        *,
        clock: Clock = utcnow,
    ) -> None:
        self.uow = uow
        self.policy = policy
        self.renderer = renderer
        self.clock = clock

    def reserve_sscc(self, actor: Actor, count: int | None = None) -> sh.SsccBlock:
        """Serial references for this station alone; no number is ever handed out twice."""
        actor.require(Permission.PACK)
        if actor.station_id is None:
            raise Forbidden("SSCC numbers are reserved by a station")
        with self.uow() as uow:
            block = uow.sscc.reserve(
                self.policy.company_prefix,
                self.policy.extension_digit,
                count or self.policy.block_size,
                actor.station_id,
                actor.user_id,
            )
            uow.audit.record(
                actor,
                "sscc.reserved",
                "sscc_block",
                f"{block.first}-{block.last}",
                block.model_dump(),
            )
            uow.commit()
        return block

    def pack_order(self, actor: Actor, key: str) -> sh.PackOrder:
        """The order to pack, by its reference or by the code of a tote it was picked into."""
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            found = uow.shipments.pack_order(key.strip())
        if found is None:
            raise NotFound(f"no order or picked tote {key}")
        return found

    def approve_weight(self, actor: Actor, body: sh.WeightApprovalRequest) -> sh.WeightApproval:
        """A supervisor's badge, scanned at the pack station, approves a weight far off.

        Refused (and audited) for an unknown or inactive badge, one without a supervisor's
        rights, or the packer's own: the approval is a second person's.
        """
        actor.require(Permission.PACK)
        detail = {
            "badge": body.badge,
            "weight_g": body.weight_g,
            "expected_weight_g": body.expected_weight_g,
            "reason": body.reason,
        }
        with self.uow() as uow:
            creds = uow.people.credentials(body.badge)
            user = creds.user if creds is not None else None
            why = ""
            if user is None or not user.active:
                why = f"badge {body.badge} is not a supervisor's: scan a supervisor's badge"
            elif not allows(user.role, Permission.MANAGE_ORDERS):
                why = f"{user.name} is a {user.role.value}: a supervisor's badge must approve it"
            elif user.id == actor.user_id:
                why = "you cannot approve your own weight: ask another supervisor"
            elif creds is not None and creds.locked_until and creds.locked_until > self.clock():
                why = f"{user.name}'s badge is locked after wrong PINs: try again later"
            if why:
                uow.audit.record(
                    actor, "weight.approval_refused", "order", body.order, {**detail, "why": why}
                )
                uow.commit()
                raise Refused(why)
            assert user is not None
            uow.audit.record(
                actor, "weight.approved", "order", body.order, {**detail, "approved_by": user.id}
            )
            uow.commit()
        return sh.WeightApproval(user_id=user.id, name=user.name, role=user.role)

    def shipments(
        self, actor: Actor, filters: sh.ShipmentFilter, offset: int, limit: int
    ) -> Page[sh.Shipment]:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return uow.shipments.find(filters, offset, limit)

    def shipment(self, actor: Actor, shipment_id: int) -> sh.Shipment:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            found = uow.shipments.get(shipment_id)
        if found is None:
            raise NotFound(f"no shipment {shipment_id}")
        return found

    def export_csv(self, actor: Actor, filters: sh.ShipmentFilter) -> str:
        """One row per box, for a shop or ERP to tell customers and bill."""
        actor.require(Permission.READ_ORDERS)
        out = io.StringIO()
        # Order references, SKUs and tracking numbers come from outside: none may run as a
        # formula in the spreadsheet this is opened in.
        writer = SafeCsvWriter(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        offset = 0
        while True:
            with self.uow() as uow:
                page = uow.shipments.find(filters, offset, 500)
            for s in page.items:
                for box in s.boxes:
                    writer.writerow(
                        [
                            s.id,
                            s.order_reference,
                            s.status,
                            s.carrier,
                            s.service,
                            box.box_no,
                            box.box_code,
                            box.sscc,
                            box.tracking,
                            f"{box.weight_g / 1000:.3f}",
                            box.length_mm,
                            box.width_mm,
                            box.height_mm,
                            ";".join(f"{k}={v}" for k, v in sorted(box.contents.items())),
                            "" if s.cost_cents is None else f"{s.cost_cents / 100:.2f}",
                            "yes" if s.partial else "no",
                            s.packed_at.isoformat() if s.packed_at else "",
                            s.shipped_at.isoformat() if s.shipped_at else "",
                            s.manifest_id or "",
                        ]
                    )
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        return out.getvalue()

    def close_manifest(self, actor: Actor, body: sh.ManifestCreate) -> sh.Manifest:
        """The carrier has collected: its packed shipments and their orders become shipped."""
        actor.require(Permission.MANAGE_ORDERS)
        now = self.clock()
        with self.uow() as uow:
            manifest, shipped = uow.manifests.ship(
                body.carrier, body.ship_date or now.date(), actor.user_id, now
            )
            if not shipped:
                raise Refused(
                    f"no packed {body.carrier.upper()} shipments are waiting for a manifest"
                )
            if self.policy.webhook_url:
                uow.webhooks.enqueue(
                    [
                        {
                            "event": "order.shipped",
                            "entity_id": s.order_reference,
                            "url": self.policy.webhook_url,
                            "body": _shipped_body(s, manifest),
                        }
                        for s in shipped
                    ]
                )
            uow.audit.record(
                actor,
                "manifest.closed",
                "manifest",
                str(manifest.id),
                {
                    "carrier": manifest.carrier,
                    "ship_date": manifest.ship_date.isoformat(),
                    "orders": [s.order_reference for s in shipped],
                },
            )
            uow.commit()
        return manifest

    def manifests(self, actor: Actor, offset: int, limit: int) -> Page[sh.Manifest]:
        actor.require(Permission.READ_ORDERS)
        with self.uow() as uow:
            return uow.manifests.find(offset, limit)

    def deliveries(
        self, actor: Actor, status: str | None, offset: int, limit: int
    ) -> Page[sh.WebhookDelivery]:
        actor.require(Permission.READ_AUDIT)
        with self.uow() as uow:
            return uow.webhooks.deliveries(status, offset, limit)

    def retry_delivery(self, actor: Actor, delivery_id: int) -> sh.WebhookDelivery:
        """Try a pending delivery again now instead of at its next backoff time."""
        actor.require(Permission.MANAGE_ORDERS)
        with self.uow() as uow:
            found = uow.webhooks.retry_delivery(delivery_id, self.clock())
            if found is None:
                raise NotFound(f"no webhook delivery {delivery_id}")
            uow.audit.record(actor, "webhook.retry", "webhook_delivery", str(delivery_id), {})
            uow.commit()
        return found

    def label(self, actor: Actor, sscc: str, fmt: str) -> bytes:
        """A recorded box's label again (zpl, png or pdf), e.g. to reprint from the office."""
        actor.require(Permission.READ_ORDERS)
        if self.renderer is None:
            raise Refused("this server has no label renderer")
        with self.uow() as uow:
            source = uow.shipments.label_source(sscc)
        if source is None:
            raise NotFound(f"no box with SSCC {sscc}")
        to = source.ship_to
        service = self.policy.rules.service(source.shipment.carrier, source.shipment.service)
        label = ShippingLabel(
            sscc=source.box.sscc,
            tracking=source.box.tracking,
            carrier=self.policy.rules.carrier(source.shipment.carrier).name,
            service=service.name if service else source.shipment.service,
            ship_from=self.policy.ship_from,
            ship_to=Address(
                to.name, to.line1, to.line2, to.city, to.region, to.postal_code, to.country
            ),
            order_reference=source.order_reference,
            box_no=source.box.box_no,
            box_count=len(source.shipment.boxes),
            weight_g=source.box.weight_g,
        )
        return self.renderer.label(label, fmt)


def _shipped_body(shipment: sh.Shipment, manifest: sh.Manifest) -> str:
    body = {
        "event": "order.shipped",
        "order": shipment.order_reference,
        "manifest": {
            "id": manifest.id,
            "carrier": manifest.carrier,
            "ship_date": str(manifest.ship_date),
        },
        "shipment": shipment.model_dump(mode="json"),
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)
