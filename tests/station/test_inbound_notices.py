"""Inbound notices reach a station's store through the change feed, and leave it once closed."""

from __future__ import annotations

from pathlib import Path

from tests.server.conftest import Site
from tests.server.test_notices_api import API, CASE, PALLET, _setup, asn, po
from tests.station.test_against_server import Station
from toteflow.contracts.notices import Notice


def test_open_notices_are_kept_by_the_station_and_found_by_sscc_offline(
    site: Site, tmp_path: Path
) -> None:
    _admin, supervisor = _setup(site)
    for body in (asn("ASN-1"), po("PO-1", expected_on="2026-12-09")):
        assert site.client.post(f"{API}/notices", json=body, headers=supervisor).status_code == 201
    station = Station(site, tmp_path)
    station.register(site.station_token)
    assert station.sync().status.state == "online"

    with station.uow() as uow:
        kept = [notice.reference for notice in uow.inbound.open_notices()]
        on_pallet = uow.inbound.by_sscc(CASE)
        asn_1 = uow.inbound.get("ASN-1")
    assert kept == ["PO-1", "ASN-1"]  # by expected date
    assert on_pallet is not None
    assert on_pallet.reference == "ASN-1"
    assert asn_1 is not None
    assert asn_1 == station_view_of(site, supervisor, "ASN-1")

    cancelled = site.client.post(
        f"{API}/notices/ASN-1/cancel", json={"reason": "recalled"}, headers=supervisor
    )
    assert cancelled.status_code == 200
    station.sync()
    # Pulled again from the start (a replay): nothing is doubled, the cancel still holds.
    with station.uow() as uow:
        uow.sync.set_cursor(0)
        uow.commit()
    station.sync()
    with station.uow() as uow:
        assert [notice.reference for notice in uow.inbound.open_notices()] == ["PO-1"]
        assert uow.inbound.by_sscc(PALLET) is None
        assert uow.inbound.get("ASN-1") is None


def station_view_of(site: Site, headers: dict[str, str], reference: str) -> Notice:
    return Notice.model_validate(
        site.client.get(f"{API}/notices/{reference}", headers=headers).json()
    )
