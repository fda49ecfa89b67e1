"""`ingest run` REST sources page through dlt's RESTClient: each configured pagination type,
auth in a custom header, the page guard, and a retried 503 (a local HTTP server, no warehouse).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingest.config import ConfigError
from ingest.generic import rest
from ingest.generic import settings as cfg

ITEMS = [{"id": i} for i in range(1, 8)]  # 7 items, pages of 3: 3 + 3 + 1


@pytest.fixture
def api():
    seen: list[str] = []
    failures = {"left": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            seen.append(self.path)
            if self.headers.get("X-Key") not in (None, "Token s3cret"):
                return self._send(403, {"error": "bad key"})
            if failures["left"] > 0:
                failures["left"] -= 1
                return self._send(503, {"error": "busy"})
            if url.path == "/offset":
                start, limit = int(q["offset"]), int(q["limit"])
                return self._send(200, ITEMS[start:start + limit])
            if url.path == "/pages":
                page = int(q.get("p", "0"))
                return self._send(200, {"results": ITEMS[page * 3:page * 3 + 3]})
            if url.path == "/link":
                start = int(q.get("from", "0"))
                nxt = f"/link?from={start + 3}" if start + 3 < len(ITEMS) else None
                return self._send(200, {"items": ITEMS[start:start + 3], "links": {"next": nxt}})
            if url.path == "/header":
                start = int(q.get("from", "0"))
                link = None
                if start + 3 < len(ITEMS):
                    link = f'<http://127.0.0.1:{port}/header?from={start + 3}>; rel="next"'
                return self._send(200, ITEMS[start:start + 3], link)
            return self._send(404, {"error": "no such path"})

        def _send(self, status: int, body, link: str | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{port}", "seen": seen, "failures": failures}
    server.shutdown()


def source(api, **settings) -> cfg.Source:
    return cfg.Source("t", "rest", {"base_url": api["url"], **settings}, {}, Path("."))


def ids(pages) -> list[list[int]]:
    return [[r["id"] for r in page] for page in pages]


def test_offset_stops_after_a_short_page(api):
    paginate = {"type": "offset", "limit": 3}
    got = ids(rest.pages(source(api), "offset", {"paginate": paginate, "records": None}))
    assert got == [[1, 2, 3], [4, 5, 6], [7]]
    assert len(api["seen"]) == 3  # no request for the empty page after the short one


def test_page_number_without_total_stops_at_an_empty_page(api):
    settings = {"path": "pages", "paginate": {"type": "page_number", "param": "p", "start": 0}}
    assert ids(rest.pages(source(api), "x", settings)) == [[1, 2, 3], [4, 5, 6], [7]]


def test_json_link_and_link_header(api):
    link = {"path": "link", "records": "items",
            "paginate": {"type": "json_link", "next_path": "links.next"}}
    assert ids(rest.pages(source(api), "x", link)) == [[1, 2, 3], [4, 5, 6], [7]]
    header = {"path": "header", "paginate": "link_header"}
    assert ids(rest.pages(source(api), "x", header)) == [[1, 2, 3], [4, 5, 6], [7]]


def test_token_in_a_custom_header(api, monkeypatch):
    monkeypatch.setenv("T_KEY", "s3cret")
    src = source(api, auth_env="T_KEY", auth_header="X-Key", auth_scheme="Token")
    assert ids(rest.pages(src, "offset", {"paginate": {"type": "offset", "limit": 10}})) == [
        [r["id"] for r in ITEMS]
    ]
    monkeypatch.setenv("T_KEY", "wrong")
    with pytest.raises(Exception, match="403"):
        list(rest.pages(src, "offset", {"paginate": {"type": "offset", "limit": 10}}))
    monkeypatch.delenv("T_KEY")
    with pytest.raises(ConfigError, match="T_KEY"):
        rest.check_settings(src)


def test_more_pages_than_allowed_fails_the_run(api):
    settings = {"path": "header", "paginate": {"type": "link_header", "max_pages": 2}}
    with pytest.raises(RuntimeError, match="more than 2 pages"):
        list(rest.pages(source(api), "x", settings))


def test_a_busy_server_is_asked_again(api, monkeypatch):
    monkeypatch.setenv("RUNTIME__REQUEST_BACKOFF_FACTOR", "0")
    api["failures"]["left"] = 2
    got = ids(rest.pages(source(api), "offset", {"paginate": {"type": "offset", "limit": 10}}))
    assert got == [[r["id"] for r in ITEMS]]
    assert len(api["seen"]) == 3  # two 503s, then the page


def test_unknown_pagination_type_is_a_usage_error(api):
    with pytest.raises(ConfigError, match="paginate type 'cursor'"):
        list(rest.pages(source(api), "x", {"paginate": "cursor"}))
