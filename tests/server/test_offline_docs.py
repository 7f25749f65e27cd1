"""The API docs pages work with no internet: every script, style and icon comes from the server."""

from __future__ import annotations

import re

from tests.server.conftest import Site

KINDS = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def test_docs_and_redoc_load_everything_from_the_server_itself(site: Site) -> None:
    for page in ["/docs", "/redoc"]:
        reply = site.client.get(page)
        assert reply.status_code == 200, page
        html = reply.text
        # No CDN, no web fonts: nothing on the page points off the server.
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html), html
        assets = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert any(a.endswith(".js") for a in assets), page
        for asset in assets:
            assert asset.startswith("/"), asset
            served = site.client.get(asset)
            assert served.status_code == 200, asset
            assert len(served.content) > 1000, asset
            suffix = asset[asset.rfind(".") :]
            assert KINDS[suffix] in served.headers["content-type"], asset
        assert "/openapi.json" in html
    css = site.client.get("/docs").text
    assert "swagger-ui.css" in css
    assert "swagger-ui-bundle.js" in css
    assert "redoc.standalone.js" in site.client.get("/redoc").text
