"""Operational project-management database: generator and day-by-day simulator.

`generate` builds the database from nothing by simulating a ramp-up period of
`RAMP_DAYS` days before `start_date` (clients, users, projects and services are signed up,
issues are opened and worked on), then `days` ordinary days from `start_date` on.
`simulate` continues from where the clock in `sim_clock` stands. Every day is driven by a
random generator seeded with (seed, day index), so the same seed gives the same database on
SQLite and PostgreSQL, and generating K days equals generating fewer days and simulating the
rest.

Every row change gets its own timestamp from the simulated clock, strictly later than any
earlier change in the database, and is logged in `sim_history` with the row's full state
after the change; `state_as_of` rebuilds any table as it was at a given moment from it.

The simulation runs in memory (the whole state is loaded, days are applied, and the net
difference is written back with executemany inserts, updates and deletes).

The modules, in the order a day runs through them: `pools` (names and rates), `state` (the
in-memory state and the clock), `rows` (new rows, issue and review lifecycles), `day` (one
simulated day), `database` (SQLite or PostgreSQL, `state_as_of`, `live_rows`); this module
holds `generate`, `simulate` and the `generate pm` / `simulate pm` commands.
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import date
from typing import Any

import sqlalchemy as sa

from ingest.config import ConfigError
from ingest.generators.pm import schema
from ingest.generators.pm.database import (
    _drop_all,
    _engine,
    _flush,
    _load_state,
    _parse_url,
    _read_clock,
    _summary,
    default_url,
    live_rows,
    state_as_of,
)
from ingest.generators.pm.day import _simulate_day
from ingest.generators.pm.pools import DEFAULT_SEED, DEFAULT_START, RAMP_DAYS, PmError
from ingest.generators.pm.state import _empty_state
from ingest.log import done_progress, progress, say

__all__ = [
    "PmError", "add_arguments", "add_simulate_arguments", "default_url", "generate", "live_rows",
    "run", "run_simulate", "sample", "simulate", "state_as_of",
]

# --------------------------------------------------------------------------- public API


def generate(url: str | None = None, scale: float = 1.0, days: int = 30, seed: int = DEFAULT_SEED,
             start_date: date = DEFAULT_START, force: bool = False) -> dict[str, Any]:
    """Create and fill the operational database (or report the dataset already there)."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise PmError(f"scale must be a positive number, got {scale!r}")
    if not isinstance(days, int) or days < 0:
        raise PmError(f"days must be a whole number >= 0, got {days!r}")
    if not isinstance(seed, int):
        raise PmError(f"seed must be an integer, got {seed!r}")
    parsed = _parse_url(url)
    engine = _engine(url, create=True)
    try:
        with engine.begin() as conn:
            clock = _read_clock(conn, lock=True)
            if clock is not None and not force:
                return {
                    "status": "reused", "url": parsed.render_as_string(hide_password=True),
                    "seed": clock["seed"], "scale": clock["scale"],
                    "clock_date": clock["clock_date"],
                }
            existing = [t.name for t in schema.OPERATIONAL_TABLES
                        if sa.inspect(conn).has_table(t.name)]
            if existing and not force:
                raise PmError(
                    f"the database already has tables {existing} but no simulator clock; "
                    "pass --force to drop and recreate them")
            if force:
                _drop_all(conn)
            schema.metadata.create_all(conn)
            started = time.perf_counter()
            state = _empty_state(seed, float(scale), start_date)
            for _ in range(RAMP_DAYS + days):
                _simulate_day(state)
            _flush(conn, state)
            return _summary(state, parsed, state.history_start, time.perf_counter() - started)
    finally:
        engine.dispose()


def simulate(url: str | None = None, days: int = 1) -> dict[str, Any]:
    """Advance an existing operational database by `days` simulated days."""
    if not isinstance(days, int) or days < 1:
        raise PmError(f"days must be a whole number >= 1, got {days!r}")
    parsed = _parse_url(url)
    engine = _engine(url, create=False)
    try:
        with engine.begin() as conn:
            clock = _read_clock(conn, lock=True)
            if clock is None:
                raise PmError(f"no generated dataset at {parsed.render_as_string()}; "
                              "run `generate pm` first")
            started = time.perf_counter()
            state = _load_state(conn, clock)
            first_day = state.clock_date
            for day in range(days):
                _simulate_day(state)
                progress(f"pm: simulated day {day + 1}/{days}")
            done_progress()
            _flush(conn, state)
            return _summary(state, parsed, first_day, time.perf_counter() - started)
    except sa.exc.OperationalError as exc:
        raise PmError(f"cannot open {parsed.render_as_string()}: {exc}") from exc
    finally:
        engine.dispose()


def sample(scale: float, days: int, seed: int) -> None:
    """The demo's sample (domain registry): the operational database at the default URL,
    at least scale 0.02 and at most 30 days of history; reused when already there."""
    generate(default_url(), scale=max(scale, 0.02), days=min(days, 30), seed=seed)
# --------------------------------------------------------------------------- CLI


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from exc
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {value!r}")
    return number


def _non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0: {value!r}")
    return int(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None,
                        help="SQLAlchemy URL of the operational database "
                             "(default: sqlite:///<WAREHOUSE_DATA_DIR>/ops/pm.sqlite)")
    parser.add_argument("--scale", type=_positive_float, default=1.0,
                        help="1 = ~50 clients, ~200 projects, ~5000 issues; fractions allowed")
    parser.add_argument("--days", type=_non_negative_int, default=30,
                        help="ordinary days simulated after the ramp-up (default 30)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start-date", type=_iso_date, default=DEFAULT_START,
                        help="first ordinary day (the ramp-up precedes it), default 2025-01-01")
    parser.add_argument("--force", action="store_true",
                        help="drop and recreate an existing generated dataset")


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None, help="SQLAlchemy URL of the operational database")
    parser.add_argument("--days", type=_non_negative_int, default=1,
                        help="simulated days to advance (default 1)")


def _report(summary: dict[str, Any]) -> None:
    if summary["status"] == "reused":
        print(f"{summary['url']} already holds a generated dataset (seed {summary['seed']}, "
              f"scale {summary['scale']}, clock at {summary['clock_date']}); "
              "nothing done (use --force to regenerate)")
        return
    print(f"{summary['url']}: simulated {summary['first_day']} .. {summary['last_day']} "
          f"in {summary['seconds']} s; clock now at {summary['clock_date']}")
    for table, c in summary["changes"].items():
        print(f"  {table:<20} rows {summary['rows'][table]:>7}  inserted {c['inserted']:>7}  "
              f"updated {c['updated']:>7}  soft-deleted {c['soft_deleted']:>5}  "
              f"hard-deleted {c['hard_deleted']:>5}")


def run(args: argparse.Namespace) -> int:
    try:
        summary = generate(args.url, scale=args.scale, days=args.days, seed=args.seed,
                           start_date=args.start_date, force=args.force)
    except (PmError, ConfigError) as exc:
        say(f"error: {exc}")
        return 2
    _report(summary)
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    try:
        summary = simulate(args.url, days=args.days)
    except (PmError, ConfigError) as exc:
        say(f"error: {exc}")
        return 2
    _report(summary)
    return 0
