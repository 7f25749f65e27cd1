"""The site's receiving rules on the server: tolerances, inspection, held locations, webhook."""

from __future__ import annotations

from dataclasses import dataclass, field

from toteflow.central.ports.repos import UnitOfWork
from toteflow.contracts import notices as n
from toteflow.domain.errors import Refused
from toteflow.domain.receipt_lines import LineRules

DEFAULT_POLICY = n.ReceivingPolicy(blind_receipts=False, over_tolerance_pct=0.0, suppliers={})


@dataclass(frozen=True)
class ReceiptSettings:
    """What receiving needs to know of the site: the station policy and where things go."""

    policy: n.ReceivingPolicy = field(default_factory=lambda: DEFAULT_POLICY)
    quarantine_location: str = ""
    quality_location: str = ""
    # Where the receipt confirmation is POSTed ("" = stored and served, not sent).
    webhook_url: str = ""


def line_rules(policy: n.ReceivingPolicy, supplier: str, sku: str) -> LineRules:
    """The tolerance of a line (the product's, else the supplier's, else the site's, else
    nothing over) and whether its units go to quality hold (product or supplier flagged):
    the rule the stations apply too (`ReceivingPolicy.rules_for`)."""
    return policy.rules_for(supplier, sku)


def held_location(uow: UnitOfWork, settings: ReceiptSettings, kind: str) -> str:
    """The quarantine or quality location held units are received at."""
    chosen = settings.quarantine_location if kind == "quarantine" else settings.quality_location
    found = chosen or uow.receipts.first_location(kind)
    if not found:
        raise Refused(
            f"there is no {kind} location to receive held units at: add a location of kind "
            f"{kind} (or set [receiving] {kind}_location)"
        )
    return found
