"""Protocol `rest`: a paginated JSON API; nested lists become child tables.

    [sources.crm]
    protocol = "rest"
    base_url = "https://api.example.com/v1"  # or base_url_env = "CRM_URL"
    auth_env = "CRM_TOKEN"                 # header value from this environment variable
    auth_header = "Authorization"          # default
    auth_scheme = "Bearer"                 # default; "" sends the token as it is
    records = "data"                       # where the list of records sits (dotted path);
                                           # default: the response itself when it is a list
    paginate = {type = "page_number", param = "page", start = 1}
    [sources.crm.tables.customers]
    path = "customers"                     # default: the table name
    params = {per_page = 100}

Pagination types: `none`; `page_number` (param, start, total_pages_path); `offset`
(offset_param, limit_param, limit); `json_link` (next_path: where the next page's URL sits
in the body); `link_header` (RFC 8288 `Link: <...>; rel="next"`). Every type stops at an
empty page; `max_pages` (default 10000) guards against an endless API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import requests

from ingest.config import ConfigError
from ingest.generic import settings as cfg

PAGINATORS = ("none", "page_number", "offset", "json_link", "link_header")
LIST_KEYS = ("data", "results", "items", "records")


def session(source: cfg.Source) -> requests.Session:
    s = requests.Session()
    headers = source.settings.get("headers") or {}
    if not isinstance(headers, dict):
        raise ConfigError(f"source {source.name!r}: headers must be a table of strings")
    s.headers.update({str(k): str(v) for k, v in headers.items()})
    if source.settings.get("auth_env"):
        token = cfg.secret(source.settings["auth_env"], f"source {source.name!r} auth_env")
        scheme = source.settings.get("auth_scheme", "Bearer")
        header = source.settings.get("auth_header", "Authorization")
        s.headers[header] = f"{scheme} {token}" if scheme else token
    return s


def base_url(source: cfg.Source) -> str:
    """`base_url`, or the environment variable `base_url_env` names (one config, many hosts)."""
    env_name = source.settings.get("base_url_env")
    if env_name:
        value = cfg.secret(env_name, f"source {source.name!r} base_url_env")
    else:
        value = source.settings.get("base_url")
    if not value or not str(value).startswith(("http://", "https://")):
        raise ConfigError(f"source {source.name!r}: base_url must be an http(s) URL, got {value!r}")
    return str(value).rstrip("/") + "/"


def table_url(source: cfg.Source, table: str, settings: dict) -> str:
    return urljoin(base_url(source), str(settings.get("path", table)).lstrip("/"))


def pages(source: cfg.Source, table: str, settings: dict) -> Iterator[list[dict]]:
    """Yield each page's records; raises on an HTTP error (status >= 400) or a bad body."""
    paginate = settings.get("paginate") or {"type": "none"}
    if isinstance(paginate, str):
        paginate = {"type": paginate}
    kind = paginate.get("type", "none")
    if kind not in PAGINATORS:
        raise ConfigError(f"table {table!r}: paginate type {kind!r}: expected one of {PAGINATORS}")
    timeout = float(source.settings.get("timeout_seconds", 30))
    max_pages = int(paginate.get("max_pages", 10_000))
    params: dict[str, Any] = dict(settings.get("params") or {})
    url: str | None = table_url(source, table, settings)
    page = int(paginate.get("start", 1))
    offset = int(paginate.get("start", 0)) if kind == "offset" else 0
    limit = int(paginate.get("limit", 100))
    with session(source) as http:
        for number in range(1, max_pages + 1):
            if kind == "page_number":
                params[paginate.get("param", "page")] = page
            elif kind == "offset":
                params[paginate.get("offset_param", "offset")] = offset
                params[paginate.get("limit_param", "limit")] = limit
            response = http.get(url, params=params, timeout=timeout)
            response.raise_for_status()
            body = _json(response)
            records = extract_records(body, settings.get("records"), response.url)
            if records:
                yield records
            if not records or kind == "none":
                return
            if kind == "page_number":
                total = _dig(body, paginate.get("total_pages_path"))
                if total is not None and page >= int(total):
                    return
                page += 1
            elif kind == "offset":
                if len(records) < limit:
                    return
                offset += limit
            elif kind == "json_link":
                nxt = _dig(body, paginate.get("next_path", "next"))
                if not nxt:
                    return
                url, params = urljoin(response.url, str(nxt)), {}
            elif kind == "link_header":
                nxt = response.links.get("next", {}).get("url")
                if not nxt:
                    return
                url, params = urljoin(response.url, nxt), {}
            if number == max_pages:
                raise RuntimeError(
                    f"{table}: more than {max_pages} pages; raise paginate.max_pages if expected"
                )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        snippet = response.text[:200].replace("\n", " ")
        raise ValueError(f"{response.url}: response is not JSON: {snippet!r}") from None


def _dig(body: Any, path: str | None) -> Any:
    if not path:
        return None
    for part in str(path).split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(part)
    return body


def extract_records(body: Any, path: str | None, url: str) -> list[dict]:
    """The list of records in a response body: at `path`, or the body itself, or a list under
    a conventional key (data, results, items, records)."""
    found = _dig(body, path) if path else body
    if path is None and isinstance(body, dict):
        found = next((body[k] for k in LIST_KEYS if isinstance(body.get(k), list)), None)
        if found is None:
            raise ValueError(f"{url}: cannot tell where the records are; set `records`")
    if found is None:
        return []
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list) or not all(isinstance(r, dict) for r in found):
        raise ValueError(f"{url}: records at {path or 'the top level'} are not a list of objects")
    return found


def check(source: cfg.Source) -> tuple[bool, str]:
    """GET the first table's first page (or the base URL) with the configured auth."""
    tables = list(source.tables) or [None]
    first = tables[0]
    url = table_url(source, first, source.table(first)) if first else base_url(source)
    with session(source) as http:
        response = http.get(url, timeout=float(source.settings.get("timeout_seconds", 30)))
    ok = response.status_code < 400
    return ok, f"GET {url}: HTTP {response.status_code} {response.reason}"
