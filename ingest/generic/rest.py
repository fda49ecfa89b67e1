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

Requests go through dlt's `RESTClient` (`dlt.sources.helpers.rest_client`): the settings above
become its paginator (`SinglePagePaginator`, `PageNumberPaginator`, `OffsetPaginator`,
`JSONLinkPaginator`, `HeaderLinkPaginator`) and auth (`BearerTokenAuth`, or `APIKeyAuth` in
the configured header), and its session retries a request that failed on the way (connection
errors, HTTP 429 and 5xx, with backoff; dlt's `RUNTIME__REQUEST_MAX_ATTEMPTS` and related
settings tune it). Any other status >= 400 fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import requests
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import APIKeyAuth, BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import (
    BasePaginator,
    HeaderLinkPaginator,
    JSONLinkPaginator,
    OffsetPaginator,
    PageNumberPaginator,
    SinglePagePaginator,
)

from ingest.config import ConfigError
from ingest.generic import settings as cfg

PAGINATORS = ("none", "page_number", "offset", "json_link", "link_header")
LIST_KEYS = ("data", "results", "items", "records")


class _ShortPageOffsetPaginator(OffsetPaginator):
    """dlt's offset paginator that also stops after a page shorter than the limit (the API
    has nothing more), saving the request for the empty page that would follow."""

    def _stop_after_this_page(self, data: list | None = None) -> bool:
        return super()._stop_after_this_page(data) or len(data or []) < self.value_step


def auth(source: cfg.Source):
    """dlt auth from `auth_env` (+ `auth_header`, `auth_scheme`), or None."""
    if not source.settings.get("auth_env"):
        return None
    token = cfg.secret(source.settings["auth_env"], f"source {source.name!r} auth_env")
    scheme = source.settings.get("auth_scheme", "Bearer")
    header = source.settings.get("auth_header", "Authorization")
    if header == "Authorization" and scheme == "Bearer":
        return BearerTokenAuth(token)
    return APIKeyAuth(name=header, api_key=f"{scheme} {token}" if scheme else token,
                      location="header")


def headers(source: cfg.Source) -> dict[str, str]:
    value = source.settings.get("headers") or {}
    if not isinstance(value, dict):
        raise ConfigError(f"source {source.name!r}: headers must be a table of strings")
    return {str(k): str(v) for k, v in value.items()}


def client(source: cfg.Source) -> RESTClient:
    """dlt's REST client for the source: base URL, headers and auth (settings checked)."""
    return RESTClient(base_url=base_url(source), headers=headers(source), auth=auth(source))


def check_settings(source: cfg.Source) -> None:
    """A usage error (ConfigError) when the base URL or a secret the source names is missing."""
    client(source)


def paginator(table: str, settings: dict) -> tuple[BasePaginator, int]:
    """dlt's paginator for the table's `paginate` setting, and its page limit."""
    paginate = settings.get("paginate") or {"type": "none"}
    if isinstance(paginate, str):
        paginate = {"type": paginate}
    kind = paginate.get("type", "none")
    if kind not in PAGINATORS:
        raise ConfigError(f"table {table!r}: paginate type {kind!r}: expected one of {PAGINATORS}")
    max_pages = int(paginate.get("max_pages", 10_000))
    if kind == "page_number":
        start = int(paginate.get("start", 1))
        return PageNumberPaginator(
            base_page=start, page=start, page_param=paginate.get("param", "page"),
            total_path=paginate.get("total_pages_path"), stop_after_empty_page=True,
        ), max_pages
    if kind == "offset":
        return _ShortPageOffsetPaginator(
            limit=int(paginate.get("limit", 100)), offset=int(paginate.get("start", 0)),
            offset_param=paginate.get("offset_param", "offset"),
            limit_param=paginate.get("limit_param", "limit"),
            total_path=None, stop_after_empty_page=True,
        ), max_pages
    if kind == "json_link":
        return JSONLinkPaginator(next_url_path=paginate.get("next_path", "next")), max_pages
    if kind == "link_header":
        return HeaderLinkPaginator(), max_pages
    return SinglePagePaginator(), max_pages


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
    pager, max_pages = paginator(table, settings)
    timeout = float(source.settings.get("timeout_seconds", 30))
    http = client(source)
    try:
        pages_read = http.paginate(
            table_url(source, table, settings), params=dict(settings.get("params") or {}),
            paginator=pager, data_selector=settings.get("records"), timeout=timeout,
        )
        for number, page in enumerate(pages_read, start=1):
            records = extract_records(_json(page.response), settings.get("records"),
                                      page.response.url)
            if not records:
                return
            yield records
            if number == max_pages and page.paginator.has_next_page:
                raise RuntimeError(
                    f"{table}: more than {max_pages} pages; raise paginate.max_pages if expected"
                )
    finally:
        http.session.close()


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
    http = client(source)
    try:
        response = http.get(url, timeout=float(source.settings.get("timeout_seconds", 30)))
    finally:
        http.session.close()
    ok = response.status_code < 400
    return ok, f"GET {url}: HTTP {response.status_code} {response.reason}"
