"""A TES FHIR R4 server as a source: every ValueSet, paged, and what changed since the last
landing.

`valuesets(server)` searches `GET <server>/ValueSet?_count=<page size>` and follows each
result Bundle's `link` with relation `next` until there is none, sending
`Authorization: Bearer <token>` when a token is given. `changes(fetched, landed)` compares the
server's groupers with the (url, version) pairs already landed: new (a url never landed),
changed (a url landed in other versions only), withdrawn (landed, no longer served) and
unchanged. Only new and changed ValueSets need landing; the design calls this step
detect_changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

import requests

from ingest.readers import FileFormatError

PAGE_SIZE = 100
MAX_PAGES = 10_000
TIMEOUT_SECONDS = 60
REPORTING_SPEC_MARK = "/rs-grouper-"


class ServerError(RuntimeError):
    """The server could not be read (unreachable, refused, not FHIR): the message says which."""


def kind(valueset: dict) -> str:
    """`reporting_spec` for TES reporting-specification groupers, else `condition`."""
    return "reporting_spec" if REPORTING_SPEC_MARK in str(valueset.get("url", "")) else "condition"


def valuesets(server: str, token: str | None = None, page_size: int = PAGE_SIZE,
              say=None) -> list[dict]:
    """Every ValueSet the server returns for a search, across all pages."""
    url: str | None = urljoin(server.rstrip("/") + "/", "ValueSet")
    params: dict[str, Any] | None = {"_count": page_size}
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    found: list[dict] = []
    with requests.Session() as http:
        for number in range(1, MAX_PAGES + 1):
            try:
                response = http.get(url, params=params, headers=headers, timeout=TIMEOUT_SECONDS)
            except requests.RequestException as exc:
                raise ServerError(f"{server}: cannot be reached: {exc}") from exc
            if response.status_code in (401, 403):
                raise ServerError(
                    f"{response.url}: HTTP {response.status_code}: the server refused the "
                    "request (is the token set and valid?)"
                )
            if response.status_code >= 400:
                raise ServerError(f"{response.url}: HTTP {response.status_code}")
            try:
                bundle = response.json()
            except ValueError as exc:
                raise FileFormatError(f"{response.url}: not JSON: {exc}") from exc
            if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
                raise FileFormatError(f"{response.url}: not a FHIR search Bundle")
            page = [
                entry["resource"] for entry in bundle.get("entry") or []
                if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
                and entry["resource"].get("resourceType") == "ValueSet"
            ]
            found += page
            if say:
                say(f"tes: page {number}: {len(page)} ValueSet(s)")
            url = next((link.get("url") for link in bundle.get("link") or []
                        if isinstance(link, dict) and link.get("relation") == "next"), None)
            if not url:
                return found
            url = urljoin(response.url, url)
            params = None  # the next link carries the search's parameters
    raise ServerError(f"{server}: more than {MAX_PAGES} pages; stopped")


@dataclass
class Changes:
    new: list[dict] = field(default_factory=list)
    changed: list[dict] = field(default_factory=list)
    withdrawn: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0

    @property
    def to_land(self) -> list[dict]:
        return self.new + self.changed

    def describe(self) -> str:
        def by_kind(items: list[dict]) -> str:
            conditions = sum(1 for v in items if kind(v) == "condition")
            return f"{len(items)} ({conditions} condition, {len(items) - conditions} " \
                   "reporting-spec)"
        lines = [
            f"tes: new {by_kind(self.new)}, changed {by_kind(self.changed)}, "
            f"withdrawn {len(self.withdrawn)}, unchanged {self.unchanged}"
        ]
        for v in self.changed[:20]:
            lines.append(f"  changed  {v.get('url')} -> version {v.get('version')}")
        for url, versions in self.withdrawn[:20]:
            lines.append(f"  withdrawn {url} (landed versions {versions})")
        return "\n".join(lines)


def changes(fetched: list[dict], landed: set[tuple[str, str]]) -> Changes:
    """Compare the server's ValueSets with the landed (url, version) pairs."""
    landed_urls: dict[str, list[str]] = {}
    for url, version in landed:
        landed_urls.setdefault(url, []).append(version)
    out = Changes()
    served = set()
    for vs in fetched:
        url, version = str(vs.get("url") or ""), str(vs.get("version") or "")
        served.add(url)
        if (url, version) in landed:
            out.unchanged += 1
        elif url in landed_urls:
            out.changed.append(vs)
        else:
            out.new.append(vs)
    out.withdrawn = sorted(
        (url, ", ".join(sorted(v))) for url, v in landed_urls.items() if url not in served
    )
    return out
