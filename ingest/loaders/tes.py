"""Land TES value sets, eCR jurisdictions and Refiner configurations into raw_tes.

    python -m ingest load tes [PATH...]          files (default: data/sample/tes)
    python -m ingest fetch tes --server URL      the ValueSets of a TES FHIR server that are
                                                 new or changed since the last landing
"""

from __future__ import annotations

import argparse
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from ingest import config, runner
from ingest.log import say
from ingest.readers import FileFormatError
from ingest.sources import tes, tes_server


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="JSON/CSV files or folders, searched recursively (default: data/sample/tes)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def load(paths: list[Path], target: config.Target | None = None) -> runner.LoadSummary:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(map(str, missing))}")
    files, not_landed, unknown = tes.discover(paths)
    for f in not_landed:
        runner.eprint(f"note: {f.name}: manifest or lookup file, not landed")
    for f in unknown:
        runner.eprint(f"warning: {f.name}: not a TES file name this loader knows, not landed")
    return runner.land_files(tes.DOMAIN, files, tes.read, target=target)


def load_sample(target: config.Target) -> runner.LoadSummary:
    """What is new in the sample folder (the demo and `make load`, via the domain registry)."""
    return load([tes.default_dir()], target)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [tes.default_dir()]
    try:
        summary = load(paths, config.target(args.target))
    except FileFormatError as exc:
        say(f"error: {exc}")
        return 1
    say(summary.describe())
    return 0


# --- python -m ingest fetch tes --server URL: value sets from a TES FHIR server ------------

TOKEN_ENV = "WAREHOUSE_TES_TOKEN"


def add_fetch_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--server", required=True,
                   help="TES FHIR R4 base URL, e.g. https://tes.tools.aimsplatform.org/api/fhir")
    p.add_argument("--token-env", default=TOKEN_ENV,
                   help=f"environment variable holding a bearer token (default {TOKEN_ENV}; "
                        "unset: no Authorization header)")
    p.add_argument("--page-size", type=int, default=tes_server.PAGE_SIZE,
                   help="ValueSets asked for per page (_count)")
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def landed_valuesets(target: config.Target) -> set[tuple[str, str]]:
    """(url, version) of every ValueSet landed by a completed load."""
    p = runner.pipeline(tes.DOMAIN, target)
    if not (runner.table_exists(p, "valuesets") and runner.table_exists(p, "_dlt_loads")):
        return set()
    with p.sql_client() as client:
        raw = client.make_qualified_table_name("valuesets")
        loads = client.make_qualified_table_name("_dlt_loads")
    rows = runner.query(
        p,
        f"select distinct v.url, v.version from {raw} as v where v.url is not null and "
        f"v._dlt_load_id in (select l.load_id from {loads} as l where l.status = 0)",
    )
    return {(url, version or "") for url, version in rows}


def fetch(server: str, target: config.Target, token: str | None = None,
          page_size: int = tes_server.PAGE_SIZE
          ) -> tuple[tes_server.Changes, runner.LoadSummary | None]:
    """Read every ValueSet of the server, land the new and changed ones; nothing when none."""
    if page_size < 1:
        raise config.ConfigError(f"--page-size {page_size}: expected 1 or more")
    fetched = tes_server.valuesets(server, token, page_size, say=say)
    found = tes_server.changes(fetched, landed_valuesets(target))
    if not found.to_land:
        return found, None
    fetched_at = datetime.now(UTC)
    host = re.sub(r"[^A-Za-z0-9]+", "_", urlsplit(server).netloc).strip("_") or "server"
    out = (config.data_dir() / "tes" / "fetched"
           / f"valuesets_{host}_{fetched_at:%Y%m%dT%H%M%S%fZ}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "metadata": {"server": server, "fetched_at": fetched_at.isoformat(),
                     "new": len(found.new), "changed": len(found.changed)},
        "valuesets": found.to_land,
    }))
    return found, load([out], target)


def run_fetch(args: argparse.Namespace) -> int:
    token = os.environ.get(args.token_env) or None
    try:
        found, summary = fetch(args.server, config.target(args.target), token, args.page_size)
    except (tes_server.ServerError, FileFormatError) as exc:
        say(f"error: {exc}")
        return 1
    say(found.describe())
    say(summary.describe() if summary else "tes: nothing new or changed, nothing landed")
    return 0
