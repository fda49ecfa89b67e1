"""`python -m ingest fetch tes --server URL` against a small local FHIR server that serves the
real TES publications as paged search Bundles (`link` `next`), behind a bearer token.

First fetch: every grouper is new and lands. Same server again: nothing new, nothing lands.
The server moves to the next condition-grouper release: the new versions are reported as
changed, the groupers it dropped as withdrawn, and only the new and changed ones land. A
wrong token fails with one line and lands nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import query

REPO_ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tes-test-token"


def _valuesets(path: Path) -> list[dict]:
    data = json.loads(path.read_text())
    return data["valuesets"] if isinstance(data, dict) and "valuesets" in data else data


class TesServer:
    """Serves `self.valuesets` as `GET /fhir/ValueSet?_count=N[&_offset=K]`, paged."""

    def __init__(self) -> None:
        self.valuesets: list[dict] = []
        self.pages_served = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self.send_response(401)
                    self.end_headers()
                    return
                if parts.path != "/fhir/ValueSet":
                    self.send_response(404)
                    self.end_headers()
                    return
                args = parse_qs(parts.query)
                count, offset = int(args["_count"][0]), int(args.get("_offset", ["0"])[0])
                page = server.valuesets[offset:offset + count]
                links = [{"relation": "self", "url": self.path}]
                if offset + count < len(server.valuesets):
                    # a relative next link, as some servers send: resolved against the request
                    links.append({"relation": "next",
                                  "url": f"ValueSet?_count={count}&_offset={offset + count}"})
                body = json.dumps({
                    "resourceType": "Bundle", "type": "searchset",
                    "total": len(server.valuesets), "link": links,
                    "entry": [{"fullUrl": v.get("url"), "resource": v} for v in page],
                }).encode()
                server.pages_served += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def tes_server(real_data):
    server = TesServer()
    yield server
    server.close()


def _fetch(server: TesServer, token: str = TOKEN) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", "fetch", "tes", "--server", server.url,
         "--page-size", "50"],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "WAREHOUSE_TES_TOKEN": token},
    )


def _landed() -> set[tuple[str, str]]:
    return set(query("select distinct url, version from raw_tes.valuesets"))


def test_fetch_lands_only_what_is_new_or_changed(duckdb_warehouse, tes_server, real_data):
    tes = real_data / "tes"
    release_1 = _valuesets(tes / "condition_grouper_1.0.0.json")
    reporting = _valuesets(tes / "reporting_spec_groupers_covid19_20250328.json")
    tes_server.valuesets = release_1 + reporting

    first = _fetch(tes_server)
    assert first.returncode == 0, first.stderr
    served = {(v["url"], v["version"]) for v in tes_server.valuesets}
    assert _landed() == served
    assert tes_server.pages_served == -(-len(served) // 50)  # every page, once
    assert f"new {len(served)} ({len(release_1)} condition, {len(reporting)} reporting-spec)" \
        in first.stderr

    again = _fetch(tes_server)
    assert again.returncode == 0, again.stderr
    assert "nothing new or changed, nothing landed" in again.stderr
    assert f"unchanged {len(served)}" in again.stderr

    # the next release: new versions of some groupers, new groupers, some dropped
    release_2 = _valuesets(tes / "condition_grouper_2.0.0.json")
    tes_server.valuesets = release_2 + reporting
    urls_1 = {v["url"] for v in release_1}
    urls_2 = {v["url"] for v in release_2}
    changed = [v for v in release_2 if v["url"] in urls_1]
    new = [v for v in release_2 if v["url"] not in urls_1]
    withdrawn = urls_1 - urls_2
    third = _fetch(tes_server)
    assert third.returncode == 0, third.stderr
    assert (f"new {len(new)} ({len(new)} condition, 0 reporting-spec), changed {len(changed)} "
            f"({len(changed)} condition, 0 reporting-spec), withdrawn {len(withdrawn)}, "
            f"unchanged {len(reporting)}") in third.stderr
    assert _landed() == served | {(v["url"], v["version"]) for v in release_2}
    # the reporting-spec groupers were not landed a second time
    assert query(
        "select count(*) from raw_tes.valuesets where url like '%/rs-grouper-%'"
    ) == [(len(reporting),)]


def test_a_refused_token_fails_with_one_line_and_lands_nothing(duckdb_warehouse, tes_server,
                                                               real_data):
    tes_server.valuesets = _valuesets(real_data / "tes" / "condition_grouper_1.0.0.json")
    done = _fetch(tes_server, token="wrong")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "HTTP 401" in done.stderr and "token" in done.stderr
    assert query(
        "select count(*) from information_schema.tables where table_schema = 'raw_tes'"
    ) == [(0,)]
