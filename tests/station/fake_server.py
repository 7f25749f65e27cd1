"""A small in-memory server that follows docs/sync.md, for httpx.MockTransport tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from toteflow.contracts import sync

# What the next requests meet: "connect" (a network error), "timeout", "lost_reply" (the
# server does the work, then the connection drops before the answer), or an HTTP status.
Fault = str | int


@dataclass
class FakeServer:
    station_id: int = 1
    token: str = "station-token-0123456789"
    last_seq: int = 0
    # seq -> (event id, status, reason, result): the stored answers retries get back.
    stored: dict[int, tuple[str, str, str, dict[str, Any]]] = field(default_factory=dict)
    applied: list[sync.Event] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    feed: list[sync.Change] = field(default_factory=list)
    pushes: list[list[int]] = field(default_factory=list)
    pulls: list[int] = field(default_factory=list)
    requests: int = 0
    # Batches above this many events get 413, as a body-size limit would.
    max_batch: int = 500
    # A reason for events the server refuses (None: apply).
    refuse: Callable[[sync.Event], str | None] = lambda event: None

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.faults:
            fault = self.faults.pop(0)
            if fault == "lost_reply":
                self._serve(request)
                raise httpx.ReadError("connection reset", request=request)
            if fault == "connect":
                raise httpx.ConnectError("connection refused", request=request)
            if fault == "timeout":
                raise httpx.ReadTimeout("no answer", request=request)
            assert isinstance(fault, int)
            return httpx.Response(fault, json={"detail": f"fault {fault}"})
        return self._serve(request)

    def _serve(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return httpx.Response(401, json={"detail": "unknown or revoked station token"})
        if request.url.path == "/api/v1/sync/push":
            return self._push(sync.PushRequest.model_validate(json.loads(request.content)))
        if request.url.path == "/api/v1/sync/changes":
            since = int(request.url.params["since"])
            limit = int(request.url.params.get("limit", "500"))
            return self._changes(since, limit)
        return httpx.Response(404, json={"detail": "not found"})

    def _push(self, body: sync.PushRequest) -> httpx.Response:
        if body.station_id != self.station_id:
            return httpx.Response(403, json={"detail": "not this token's station"})
        if len(body.events) > self.max_batch:
            return httpx.Response(413, json={"detail": "request body too large"})
        self.pushes.append([e.seq for e in body.events])
        results: list[sync.EventResult] = []
        gap = False
        for event in body.events:
            if event.seq <= self.last_seq:
                event_id, status, reason, result = self.stored[event.seq]
                if event_id != str(event.id):
                    results.append(
                        sync.EventResult(
                            id=event.id,
                            seq=event.seq,
                            status="rejected",
                            reason="sequence number reused",
                        )
                    )
                    continue
                results.append(
                    sync.EventResult(
                        id=event.id,
                        seq=event.seq,
                        status="duplicate",
                        reason=reason,
                        result={**result, "outcome": status},
                    )
                )
            elif event.seq == self.last_seq + 1:
                reason = self.refuse(event)
                status = "rejected" if reason else "applied"
                result = {} if reason else {"n": len(self.applied) + 1}
                if not reason:
                    self.applied.append(event)
                self.stored[event.seq] = (str(event.id), status, reason or "", result)
                self.last_seq = event.seq
                results.append(
                    sync.EventResult(
                        id=event.id,
                        seq=event.seq,
                        status=status,  # type: ignore[arg-type]
                        reason=reason or "",
                        result=result,
                    )
                )
            else:
                gap = True
                break
        reply = sync.PushResponse(results=results, last_seq=self.last_seq, gap=gap)
        return httpx.Response(200, json=reply.model_dump(mode="json"))

    def _changes(self, since: int, limit: int) -> httpx.Response:
        self.pulls.append(since)
        after = [c for c in self.feed if c.seq > since]
        page = after[:limit]
        reply = sync.ChangesPage(
            changes=page, cursor=page[-1].seq if page else since, more=len(after) > limit
        )
        return httpx.Response(200, json=reply.model_dump(mode="json"))

    def forget_after(self, seq: int) -> None:
        """The server restored from a backup taken when it was at `seq`."""
        self.last_seq = seq
        self.stored = {k: v for k, v in self.stored.items() if k <= seq}
        self.applied = [e for e in self.applied if e.seq <= seq]

    def add_change(self, kind: str, entity: str, entity_id: str, payload: dict[str, Any]) -> None:
        seq = (self.feed[-1].seq if self.feed else 0) + 1
        self.feed.append(
            sync.Change(seq=seq, kind=kind, entity=entity, entity_id=entity_id, payload=payload)
        )
