"""Schemathesis fuzz of the API from its OpenAPI document, every check over every operation."""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTERED
from schemathesis.checks import load_all_checks
from schemathesis.core.failures import Failure
from sqlmodel import col

from tests.server.conftest import Site
from toteflow.central.services.putaway import Receipt
from toteflow.central.store import tables as t
from toteflow.contracts.catalogue import LocationCreate, ZoneCreate
from toteflow.contracts.people import StationCreate
from toteflow.domain.actor import SYSTEM
from toteflow.domain.credentials import token_digest
from toteflow.domain.roles import Role

# Examples per operation and generation mode. Derandomized so CI sees the same cases every
# run; TOTEFLOW_FUZZ_EXAMPLES=200 TOTEFLOW_FUZZ_RANDOM=1 explores further by hand.
EXAMPLES = {
    ("sqlite", "positive"): 12,
    ("sqlite", "negative"): 12,
    ("postgres", "positive"): 8,
    # Input off the schema is refused before any query: PostgreSQL adds little over SQLite.
    ("postgres", "negative"): 3,
}
# Coverage cases per operation (schemathesis's deterministic pass: each boundary, each
# missing parameter, each method the path does not serve); an operation has about 10 to 80.
COVERAGE = {"sqlite": 100, "postgres": 40}
RANDOM = os.environ.get("TOTEFLOW_FUZZ_RANDOM") == "1"
# Every check schemathesis has, not a chosen few: those that need a stateful run (use after
# free, resource availability, object-level authorization) pass when they have nothing to see.
load_all_checks()
CHECKS = list(REGISTERED.get_all())
# What random generation rarely reaches: past 32 bits (PostgreSQL integer) and 64 bits
# (SQLite), negative, NUL (PostgreSQL text cannot hold it), long, LIKE wildcards and quotes.
EDGES: dict[str, list[Any]] = {
    "integer": [-1, 2**31, 2**63],
    "string": ["\x00", "x" * 300, "%_\\'"],
}
# Operations that can revoke the credentials the fuzzer itself uses; restored after each case.
RISKY = {
    "PATCH /api/v1/users/{user_id}",
    "POST /api/v1/stations/{station_id}/token",
    "POST /api/v1/stations/{station_id}/revoke",
    "POST /api/v1/auth/logout",
}
PRODUCT = {
    "sku": "SKU-1",
    "description": "Blue widget",
    "units": [{"uom": "EA", "barcode": "4006381333931"}],
}
ORDER = {
    "reference": "SO-1",
    "customer_name": "Ada Buyer",
    "ship_to": {
        "name": "Ada Buyer",
        "line1": "1 Main St",
        "city": "Springfield",
        "postal_code": "12345",
        "country": "US",
    },
    "carrier": "UPS",
    "service": "GROUND",
    "ship_by": "2026-12-01",
    "lines": [{"sku": "SKU-1", "quantity": 2}],
}
SETTINGS = {
    "deadline": None,
    "database": None,
    "derandomize": not RANDOM,
    "suppress_health_check": list(HealthCheck),
    # Failures are collected rather than raised, so there is nothing to shrink.
    "phases": [Phase.explicit, Phase.generate],
}


@dataclass
class Tally:
    operations: int = 0
    cases: int = 0
    server_errors: int = 0
    schema_violations: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failed_checks: Counter[str] = field(default_factory=Counter)
    # What failed, grouped: check, operation, status and the answer's first words.
    kinds: Counter[str] = field(default_factory=Counter)
    # Findings set aside, by check and reason (see _excused).
    excused: Counter[str] = field(default_factory=Counter)
    ok_by_operation: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)

    def fail(self, label: str, text: str) -> None:
        if len(self.failures) < 20:
            self.failures.append(f"{label}: {text[:1500]}")


@dataclass
class Fuzzer:
    """Sends cases as the admin, checks each answer, and repairs the admin's own access."""

    site: Site
    headers: dict[str, str]
    admin_id: int
    database: str
    tally: Tally = field(default_factory=Tally)

    def check(self, case: Any) -> None:
        label = case.operation.label
        self.tally.cases += 1
        try:
            response = case.call()
        except Exception as exc:  # the app raised: Starlette answered 500 and re-raised
            self.tally.server_errors += 1
            self.tally.fail(label, f"{exc.__class__.__name__}: {exc}")
            return
        finally:
            if label in RISKY:
                self.restore()
        self.tally.statuses[response.status_code] += 1
        if 200 <= response.status_code < 300:
            self.tally.ok_by_operation[label] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (BaseExceptionGroup, Failure) as raised:
            failures = (
                list(raised.exceptions) if isinstance(raised, BaseExceptionGroup) else [raised]
            )
            checks = [(getattr(f, "checks", ()) or (f.__class__.__name__,))[0] for f in failures]
            answer = response.text[:110].replace("\n", " ")
            why = [_excused(check, response.status_code, response.text) for check in checks]
            if all(why):
                for check, reason in zip(checks, why, strict=True):
                    self.tally.excused[f"{check}: {reason}"] += 1
                return
            for check in checks:
                self.tally.failed_checks[check] += 1
                self.tally.kinds[f"{check} {label} {response.status_code}: {answer}"] += 1
            if response.status_code >= 500:
                self.tally.server_errors += 1
            else:
                self.tally.schema_violations += 1
            self.tally.fail(label, str(raised))

    def generate(
        self, operation: Any, mode: GenerationMode, examples: int, **fixed: Any
    ) -> list[Any]:
        """Run `examples` generated cases through check(); returns the cases."""
        strategy = operation.as_strategy(mode, headers=self.headers, **fixed)
        seen: list[Any] = []

        @given(case=strategy)
        @settings(max_examples=examples, **SETTINGS)
        def run(case: Any) -> None:
            seen.append(case)
            self.check(case)

        with contextlib.suppress(Unsatisfiable):  # no input of this kind exists
            run()
        return seen

    def coverage(self, operation: Any, limit: int) -> None:
        """Schemathesis's coverage cases, positive and negative, with the admin's credentials
        (except where a case leaves a required header out on purpose)."""
        schema = operation.schema
        cases = schema.iter_coverage_cases(
            operation,
            generation_modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
            generation_config=schema.config.generation_for(operation=operation),
        )
        for number, case in enumerate(cases):
            if number >= limit:
                break
            self.check(_with_credentials(case, self.headers))

    def edges(self, operation: Any, known: dict[str, Any]) -> None:
        """Each parameter at its edges in turn, everything else (body included) valid."""
        params = [*operation.path_parameters, *operation.query]
        if not params:
            return
        body: dict[str, Any] = {}
        if operation.body:
            example = self.generate(operation, GenerationMode.POSITIVE, 1)
            body = {"body": example[0].body, "media_type": example[0].media_type}
        path = {p.name: known.get(p.name, "1") for p in operation.path_parameters}
        for param in params:
            for value in EDGES.get(_kind(param), []):
                if param.location == "path":
                    fixed = {"path_parameters": {**path, param.name: value}}
                else:
                    fixed = {"path_parameters": path, "query": {param.name: value}}
                self.check(operation.Case(headers=self.headers, **fixed, **body))

    def restore(self) -> None:
        """Undo what a fuzzed call may have done to the fuzzer's station, person and log-in."""
        with self.site.parts.engine.begin() as connection:
            connection.execute(
                sa.update(t.Station)
                .where(col(t.Station.id) == self.site.station_id)
                .values(active=True, token_hash=token_digest(self.site.station_token))
            )
            connection.execute(
                sa.update(t.User)
                .where(col(t.User.id) == self.admin_id)
                .values(active=True, role=Role.ADMIN.value)
            )
            session = token_digest(self.headers["X-Toteflow-Session"])
            connection.execute(
                sa.update(t.UserSession)
                .where(col(t.UserSession.token_hash) == session)
                .values(ended_at=None)
            )


def _with_credentials(case: Any, headers: dict[str, str]) -> Any:
    """The case with the fuzzer's credentials, except a header the case is about (left out
    or sent wrong on purpose): coverage cases fill every header with a generated value."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    aimed_at = str(getattr(data, "parameter", "") or "").lower()
    sent = {k: v for k, v in (case.headers or {}).items() if k.lower() not in _lower(headers)}
    for name, value in headers.items():
        if name.lower() != aimed_at:
            sent[name] = value
        elif name in (case.headers or {}):
            sent[name] = case.headers[name]
    case.headers = sent
    return case


def _lower(headers: dict[str, str]) -> set[str]:
    return {name.lower() for name in headers}


# Rules JSON Schema cannot state (one line per SKU, one id per event, consecutive numbers):
# positive_data_acceptance sends input the schema allows and the contract refuses, rightly.
BEYOND_SCHEMA = (
    "each SKU may appear on one line",
    "each unit of measure may appear",
    "each unit needs its own barcode",
    "events must be in sequence order",
    "each event needs its own id",
    "an adjustment of 0 changes nothing",
    # a range of container labels: both ends alike, numbered, in order, not too many
    "both ends of a range must end in digits",
    "both ends must start alike",
    "the first label comes after the last",
    "in one range",
    "is not a label: letters, digits and '-', at most 40",  # two ends of unequal length
    # a notice: distinct line numbers and SSCCs, SSCC check digits, packing on an ASN only,
    # a case's pallet on the same notice
    "each line number may appear once",
    "each SSCC may appear once on a notice",
    "has a wrong check digit: with these digits it ends in",
    "SSCCs are sent on an ASN only",
    "is not on this notice",
    "its parent SSCCs go round in a circle",
    # a count request names one of a location, an aisle or a SKU
    "name exactly one of location, aisle or sku",
    # a pick face's min/max: the minimum within the maximum, the maximum within the face
    "is above maximum",
    "is more than",
)
# Text rules the schema cannot state either: no control or invisible characters, and
# surrounding spaces stripped before a length is counted ("  " is empty).
TEXT_RULES = (
    "must not contain control or invisible characters",
    "must not contain NUL",
    "each reference may appear once in a batch",
    # an event payload is free-form JSON, stored as such: no number JSON cannot give back
    "integers must fit in 64 bits",
    "numbers must be finite",
)


def _beyond_schema(msg: str, given: object) -> bool:
    if any(rule in msg for rule in (*BEYOND_SCHEMA, *TEXT_RULES)):
        return True
    # JSON Schema counts 885.0 as an integer; the contracts take JSON integers only.
    if msg == "Input should be a valid integer" and isinstance(given, float):
        return given.is_integer()
    # Spaces only: the schema's minLength counts them, the contract strips them first.
    return msg.startswith("String should have at least") and isinstance(given, str)


def _excused(check: str, status: int, text: str) -> str | None:
    """Why a finding is not this server's fault today, or None when it is a failure."""
    if check == "positive_data_acceptance" and status == 422:
        errors = _errors(text)
        if errors and all(_beyond_schema(msg, given) for msg, given in errors):
            return "a rule JSON Schema cannot state"
    return None


def _errors(text: str) -> list[tuple[str, object]]:
    try:
        detail = json.loads(text)["detail"]
    except (ValueError, KeyError, TypeError):
        return []
    if not isinstance(detail, list):
        return []
    return [(str(e.get("msg", "")), e.get("input")) for e in detail if isinstance(e, dict)]


def _names() -> list[str]:
    return [check.__name__ for check in CHECKS]


def _kind(param: Any) -> str:
    schema = param.definition.get("schema", {})
    kinds = [schema.get("type")] + [option.get("type") for option in schema.get("anyOf", [])]
    return "integer" if "integer" in kinds else "string" if "string" in kinds else "other"


def _can_be_invalid(operation: Any) -> bool:
    """Whether any input of the operation has a form that breaks the schema."""
    if operation.body:
        return True
    for param in [*operation.path_parameters, *operation.query]:
        schema = {k: v for k, v in param.definition.get("schema", {}).items() if k != "title"}
        if schema != {"type": "string"}:
            return True
    return False


def _seed(site: Site, admin: dict[str, str]) -> dict[str, Any]:
    """Known entities, so that fuzzed calls also reach code paths past 'not found'."""
    catalogue = site.parts.services.catalogue
    catalogue.apply_layout(SYSTEM, [ZoneCreate(name="A", first_aisle=1, last_aisle=5)], [])
    catalogue.add_location(SYSTEM, LocationCreate(code="01-001-1", zone="A", aisle=1, bay=1))
    client = site.client
    assert client.post("/api/v1/products", json=PRODUCT, headers=admin).status_code == 201
    adjust = {"location": "01-001-1", "sku": "SKU-1", "delta": 10, "reason": "received"}
    assert client.post("/api/v1/stock/adjustments", json=adjust, headers=admin).status_code == 201
    assert client.post("/api/v1/orders", json=ORDER, headers=admin).status_code == 201
    # A plate on the dock, so that put-away calls reach past "no plate".
    catalogue.add_location(SYSTEM, LocationCreate(code="DOCK-01", kind="dock"))
    plate = site.parts.services.putaway.receive_to_plate(SYSTEM, Receipt("SKU-1", 5, "DOCK-01"))
    spare = site.parts.services.people.register_station(SYSTEM, StationCreate(name="spare-02"))
    users = client.get("/api/v1/users", headers=admin).json()["items"]
    picker = next(user["id"] for user in users if user["role"] == Role.PICKER)
    return {
        "sku": "SKU-1",
        "code": "01-001-1",
        "reference": "SO-1",
        "user_id": picker,
        "station_id": spare.station.id,
        "plate": plate.code,
    }


Pass = Callable[[Fuzzer, Any, dict[str, Any], int], None]


def _positive(fuzzer: Fuzzer, operation: Any, known: dict[str, Any], examples: int) -> None:
    fuzzer.generate(operation, GenerationMode.POSITIVE, examples)
    names = {param.name for param in operation.path_parameters}
    if names and names <= known.keys():
        fixed = {name: known[name] for name in names}
        fuzzer.generate(operation, GenerationMode.POSITIVE, examples, path_parameters=fixed)


def _negative(fuzzer: Fuzzer, operation: Any, known: dict[str, Any], examples: int) -> None:
    if _can_be_invalid(operation):
        fuzzer.generate(operation, GenerationMode.NEGATIVE, examples)


def _edges(fuzzer: Fuzzer, operation: Any, known: dict[str, Any], examples: int) -> None:
    fuzzer.edges(operation, known)


def _coverage(fuzzer: Fuzzer, operation: Any, known: dict[str, Any], examples: int) -> None:
    limit = int(os.environ.get("TOTEFLOW_FUZZ_COVERAGE", COVERAGE[fuzzer.database]))
    fuzzer.coverage(operation, limit)


PASSES: dict[str, Pass] = {
    "positive": _positive,
    "negative": _negative,
    "edges": _edges,
    "coverage": _coverage,
}


@pytest.mark.parametrize("mode", list(PASSES))
def test_api_fuzz_finds_no_server_errors_and_no_schema_violations(
    site: Site, database: Any, mode: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """positive: valid input, also aimed at known entities; negative: input off the schema;
    edges: each parameter at its extremes (huge ids, NUL, long text), everything else valid."""
    admin = site.login(Role.ADMIN)
    admin_id = site.client.get("/api/v1/auth/me", headers=admin).json()["id"]
    known = _seed(site, admin)
    schema = schemathesis.openapi.from_asgi("/openapi.json", site.parts.app)
    default = EXAMPLES.get((database.kind, mode), 1)
    examples = int(os.environ.get("TOTEFLOW_FUZZ_EXAMPLES", default))
    fuzzer = Fuzzer(site, admin, admin_id, database.kind)
    tally = fuzzer.tally

    for result in schema.get_all_operations():
        operation = result.ok()
        tally.operations += 1
        # Bodies of up to a thousand orders take long to generate: fewer of those.
        count = max(1, examples // 3) if operation.label.endswith("/batch") else examples
        PASSES[mode](fuzzer, operation, known, count)

    figures = {
        "database": database.kind,
        "mode": mode,
        "operations": tally.operations,
        "cases": tally.cases,
        "server_errors": tally.server_errors,
        "schema_violations": tally.schema_violations,
        "statuses": dict(sorted(tally.statuses.items())),
        "failures_by_check": {name: tally.failed_checks[name] for name in sorted(_names())},
        "set_aside": dict(sorted(tally.excused.items())),
    }
    # The figures, where a person can find them whether or not xdist swallowed the print:
    # .pytest_cache/v/toteflow/fuzz/<database>-<mode>, and the JUnit XML's properties.
    (tmp_path / "fuzz-figures.json").write_text(json.dumps(figures, indent=2))
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        cache.set(f"toteflow/fuzz/{database.kind}-{mode}", figures)
    request.node.user_properties.extend((f"fuzz_{k}", v) for k, v in figures.items())
    print(
        f"\nschemathesis [{database.kind}, {mode}]: {tally.operations} operations, "
        f"{tally.cases} cases, {tally.server_errors} server errors, "
        f"{tally.schema_violations} schema violations; statuses {figures['statuses']}; "
        f"failures by check {figures['failures_by_check']}; set aside {figures['set_aside']}"
    )

    for kind, count in sorted(tally.kinds.items()):
        print(f"  {count:4d} x {kind}")
    assert tally.failures == [], "\n\n".join(tally.failures)
    if mode == "positive":
        # The fuzzer really was let in: every listing answered 2xx at least once.
        listings = [
            op.ok().label
            for op in schema.get_all_operations()
            if op.ok().method.upper() == "GET" and not op.ok().path_parameters
        ]
        assert [label for label in listings if tally.ok_by_operation[label] == 0] == []
