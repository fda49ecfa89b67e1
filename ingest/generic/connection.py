"""`python -m ingest test-connection`: can we reach the sources, or the warehouse?

    python -m ingest test-connection --config CONFIG [--source NAME]
    python -m ingest test-connection --warehouse [--target dev|ci|pg]

stdout: one JSON object (`status` ok|failed and one check per source); stderr: one line per
check. Exit codes: 0 every check passed, 1 a check failed, 2 bad usage. Nothing is written.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ingest import config, runner, warehouse
from ingest.generic import files, rest, sql
from ingest.generic import settings as cfg

CHECKS = {"sql": sql.check, "rest": rest.check, "files": files.check}


def add_test_connection_arguments(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--config", type=Path, help="check every source of this configuration")
    what.add_argument("--warehouse", action="store_true", help="check the warehouse target")
    p.add_argument("--source", help="with --config: check only this source")
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def run_test_connection(args: argparse.Namespace) -> int:
    try:
        checks = _warehouse(args) if args.warehouse else _sources(args)
    except config.ConfigError as exc:
        runner.eprint(f"error: {exc}")
        _emit({"status": "failed", "error": f"bad usage: {exc}", "checks": []})
        return 2
    ok = all(c["ok"] for c in checks)
    for c in checks:
        mark = "ok  " if c["ok"] else "FAIL"
        runner.eprint(f"{mark} {c['name']} ({c['protocol']}): {c['detail']}")
    _emit({"status": "ok" if ok else "failed", "checks": checks})
    return 0 if ok else 1


def _sources(args) -> list[dict]:
    if args.source and args.config is None:
        raise config.ConfigError("--source needs --config")
    sources = cfg.load(args.config)
    if args.source:
        sources = {args.source: cfg.pick(sources, args.source)}
    elif "" in sources:
        raise config.ConfigError("a one-source configuration needs --source NAME")
    checks = []
    for name, source in sources.items():
        try:
            ok, detail = CHECKS[source.protocol](source)
        except config.ConfigError:
            raise
        except Exception as exc:
            ok, detail = False, runner.describe_error(exc)
        checks.append({"name": name, "protocol": source.protocol, "ok": ok, "detail": detail})
    return checks


def _warehouse(args) -> list[dict]:
    if args.source:
        raise config.ConfigError("--source goes with --config, not --warehouse")
    target = config.target(args.target)
    check = {"name": "warehouse", "protocol": "duckdb" if target.is_duckdb else "postgresql"}
    if target.is_duckdb and not target.duckdb_path.exists():
        detail = f"{target.describe()}: no file yet; the first load creates it"
        return [{**check, "ok": True, "detail": detail}]
    try:
        with warehouse.connect(target, read_only=target.is_duckdb) as con:
            warehouse.fetchall(con, "select 1")
        return [{**check, "ok": True, "detail": f"connected to {target.describe()}"}]
    except Exception as exc:
        return [{**check, "ok": False, "detail": f"{target.describe()}: "
                 f"{runner.describe_error(exc)}"}]


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
