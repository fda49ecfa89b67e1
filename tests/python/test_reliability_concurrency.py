"""Concurrency (PostgreSQL): analysts querying the marts while `dbt build` rebuilds them see
no error and never a half-built table: every count they read is the table's count before
the build or after it, nothing in between."""

from __future__ import annotations

import threading
import time
from datetime import date

import psycopg2
import pytest
from fixtures.bad_input.reliability import build_aca, query

from ingest.generators import aca as generator
from ingest.loaders import aca as loader

pytestmark = [pytest.mark.postgres, pytest.mark.build]
READERS = 4


def mart_tables() -> list[str]:
    return [
        name for (name,) in query(
            "select table_name from information_schema.tables where table_schema = 'aca' "
            "order by table_name"
        )
    ]


def counts(tables: list[str]) -> dict[str, int]:
    return {t: query(f"select count(*) from aca.{t}")[0][0] for t in tables}


def read_while(stop: threading.Event, target, tables: list[str], seen: list, errors: list) -> None:
    con = psycopg2.connect(host=target.pg_host, port=target.pg_port, user=target.pg_user,
                           password=target.pg_password or None, dbname=target.pg_dbname)
    con.autocommit = True
    cur = con.cursor()
    i = 0
    while not stop.is_set():
        table = tables[i % len(tables)]
        i += 1
        try:
            cur.execute(f"select count(*) from aca.{table}")
            seen.append((table, cur.fetchone()[0]))
            if table == "fct_claim_lines":
                # a consistent fact: every line has its keys, the totals add up
                cur.execute(
                    "select count(*) from aca.fct_claim_lines where member_sk is null "
                    "or plan_sk is null or allowed_amount_usd < paid_amount_usd"
                )
                if cur.fetchone()[0]:
                    errors.append(f"{table}: a half-written line")
        except Exception as exc:  # every error is a finding
            errors.append(f"{table}: {type(exc).__name__}: {' '.join(str(exc).split())}")
            time.sleep(0.01)
    con.close()


def test_readers_during_a_build_see_no_error_and_no_half_built_table(pg_warehouse, tmp_path):
    sample = tmp_path / "sample"
    manifest = generator.generate(sample, 0.05, date(2025, 1, 1), 8, seed=23)
    days = manifest["generated_days"]
    first = [f for f in sample.glob("*.csv") if not any(d in f.name for d in days[4:])]
    loader.load(first)
    build_aca()
    tables = mart_tables()
    before = counts(tables)
    loader.load([sample])  # four more days: the next build changes facts, dims, aggregates

    stop = threading.Event()
    seen: list[tuple[str, int]] = []
    errors: list[str] = []
    readers = [
        threading.Thread(target=read_while, args=(stop, pg_warehouse, tables, seen, errors))
        for _ in range(READERS)
    ]
    for r in readers:
        r.start()
    try:
        build_aca()
    finally:
        stop.set()
        for r in readers:
            r.join(timeout=60)
    after = counts(tables)

    assert errors == [], errors[:10]
    assert len(seen) > 20 * len(tables), "the readers barely ran during the build"
    changed = [t for t in tables if before[t] != after[t]]
    assert "fct_claim_lines" in changed and "dim_member" in changed
    half_built = sorted({(t, n) for t, n in seen if n not in (before[t], after[t])})
    assert half_built == [], f"counts neither before nor after the build: {half_built[:10]}"
