"""`python -m ingest bench` (`make bench`): how long generation, landing and dbt take, next to
the engine's limit.

At one scale of the ACA sample, in throwaway warehouses (nothing of yours is touched):

1. generation: seconds and rows per second per domain;
2. landing (dlt, per source table), next to the engine's own reader on the same files
   (DuckDB `read_csv` into a table; PostgreSQL `COPY` into text tables);
3. full build: `dbt build` wall time and per-node times from `run_results.json`, next to the
   same compiled SQL run directly against the engine (views as views, tables and incremental
   models as `create table ... as`, snapshots as their first-run table, tests as counts);
4. incremental: one more day generated, landed and built (every test over every row); a
   second day built as a nightly run is, the tests of the big tables on the new loads' rows
   (`WAREHOUSE_TESTS_AFTER_LOAD`, macros/tests_on_new_loads.sql); then a build with nothing new,
   the fixed cost every build pays (dbt start-up, hooks, snapshots, whole-table tests). Each
   time is given over the full run's;
5. peak memory (RSS) of landing and of building, each measured in its own child process.

The result is printed as a table and written as JSON (default `bench/results/`), with the
machine's core count and memory.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ingest.log import say
from tools.bench.report import default_out, evaluate, render
from tools.bench.run import run_bench
from tools.bench.stages import (
    DEFAULT_EXCLUDE,
    DEFAULT_SELECT,
    RESULTS_DIR,
    BenchError,
    machine,
)

__all__ = [
    "BenchError", "add_arguments", "default_out", "evaluate", "machine", "render", "run",
    "run_bench",
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=float, default=1.0,
                        help="ACA sample scale (1 = about 500,000 claim lines a year)")
    parser.add_argument("--days", type=int, default=365, help="days of data (default 365)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--target", choices=("dev", "pg"), default="dev",
                        help="dev (DuckDB, default) or pg (PostgreSQL)")
    parser.add_argument("--select", default=DEFAULT_SELECT,
                        help=f"dbt selection to build (default {DEFAULT_SELECT})")
    parser.add_argument("--exclude", default=DEFAULT_EXCLUDE,
                        help=f"dbt exclusion (default {DEFAULT_EXCLUDE!r})")
    parser.add_argument("--out", type=Path, default=None, help=(
        "JSON result file (default bench/results/<target>_scale<N>_<time>.json)"),
                        metavar="FILE.json")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the throwaway folder goes (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    parser.add_argument("--nights", type=int, default=0, metavar="N", help=(
        "instead: N nights of `day aca`, `simulate pm`, `nightly --domains aca pm` on DuckDB "
        "at --scale (ACA; PM at ten times it), checking the last night within "
        "1.5x the first incremental one (tools.bench.nights)"))


def _run_nights(args: argparse.Namespace) -> int:
    from tools.bench import nights

    try:
        doc = nights.run_nights(args.nights, args.scale, min(max(args.scale * 10, 0.05), 1.0),
                                args.work_dir, args.keep,
                                log=lambda msg: say(f"bench: {msg}", flush=True))
    except nights.NightsError as exc:
        say(f"error: {exc}")
        return 1
    out = args.out or RESULTS_DIR / f"nights{args.nights}_{doc['measured_at'][:19]}.json".replace(
        ":", "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(nights.render(doc))
    print(f"\nwritten to {out}")
    return 0 if doc["target"]["met"] else 1


def run(args: argparse.Namespace) -> int:
    if args.nights:
        return _run_nights(args)
    try:
        doc = run_bench(args.scale, args.target, args.days, args.seed, args.select,
                        args.exclude, args.work_dir, args.keep,
                        log=lambda msg: say(f"bench: {msg}", flush=True))
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    out = args.out or default_out(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(render(doc))
    print(f"\nwritten to {out}")
    return 0
