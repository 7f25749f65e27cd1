"""405 Method Not Allowed, with an `Allow` header naming every method of the path.

Starlette answers 405 from the first route whose path matches, so a path served by two
routes (GET and POST /orders) advertises only one of them; and a POST-only path that a
templated GET route also matches (`POST /tasks/next` beside `GET /tasks/{task_id}`) is
routed to that GET and answers 422 or 404. Here every request is first matched to the most
specific path template it fits, literal segments before parameters, and a method that
template does not serve is answered 405 before any route runs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

_PARAMETER = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class _Template:
    path: str
    pattern: re.Pattern[str]
    methods: frozenset[str]
    # Literal segments sort before parameters, segment by segment from the left.
    specificity: tuple[int, ...]

    @property
    def allow(self) -> str:
        return ", ".join(sorted(self.methods))


def _templates(app: Any) -> dict[int, list[_Template]]:
    """The app's path templates and their methods, by number of path segments."""
    methods: dict[str, set[str]] = {}
    for path, operations in app.openapi().get("paths", {}).items():
        methods.setdefault(path, set()).update(name.upper() for name in operations)
    for route in app.routes:  # the pages left out of the OpenAPI document (/docs, ...)
        if isinstance(route, Route) and route.methods and "{" not in route.path:
            methods.setdefault(route.path, set()).update(route.methods)
    by_length: dict[int, list[_Template]] = {}
    for path, served in methods.items():
        segments = path.strip("/").split("/")
        pattern = re.compile("^" + "/".join(_segment(s) for s in segments) + "$")
        template = _Template(
            path,
            pattern,
            frozenset(served),
            tuple(1 if _PARAMETER.search(s) else 0 for s in segments),
        )
        by_length.setdefault(len(segments), []).append(template)
    for templates in by_length.values():
        templates.sort(key=lambda t: t.specificity)
    return by_length


def _segment(segment: str) -> str:
    return "[^/]+".join(re.escape(part) for part in _PARAMETER.split(segment))


class AllowedMethods:
    """Answers 405 (with `Allow`) for a method the request's path template does not serve."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._by_length: dict[int, list[_Template]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._by_length is None:
            # Built on the first request, once every route is in place.
            self._by_length = _templates(scope["app"])
        method = scope["method"]
        segments = scope["path"].strip("/")
        for template in self._by_length.get(segments.count("/") + 1, ()):
            if template.pattern.match(segments):
                if method in template.methods:
                    break
                await _refuse(send, method, template)
                return
        await self.app(scope, receive, send)


async def _refuse(send: Send, method: str, template: _Template) -> None:
    detail = f"{method} is not allowed on {template.path}: use {template.allow}"
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 405,
            "headers": [
                (b"content-type", b"application/json"),
                (b"allow", template.allow.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
