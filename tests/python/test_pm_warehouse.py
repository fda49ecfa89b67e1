"""Project-management warehouse end to end: generate the operational database, land it
incrementally with dlt, build with dbt, simulate a day (plus one soft and one hard delete),
land again, build again.

Two runs: a SQLite source into a DuckDB warehouse, and a PostgreSQL source into a
PostgreSQL warehouse. Checks: the first read takes every row, a second read with no source
changes reads nothing, the incremental read after a simulated day reads exactly the rows
whose updated_at passed the previous watermark, hard deletes land as markers, deleted rows
close their dimension version, and the daily issue snapshot agrees with the simulator's
ground truth (`state_as_of`) on past days and with the source's current state today.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from conftest import _pg_admin, dbt, query, scalar

from ingest.generators import pm as generator
from ingest.loaders import pm as loader
from ingest.sources import pm as source

pytestmark = pytest.mark.build

SCALE = 0.05
DAYS = 4
SEED = 11
PM_SELECT = [
    "build",
    "--indirect-selection", "cautious",
    "--select",
    "path:models/staging/pm", "path:snapshots/pm", "path:models/intermediate/pm",
    "path:models/marts/pm", "path:tests/pm",
    "source_watermarks", "dim_date",
]


@pytest.fixture(params=["sqlite-duckdb", pytest.param("postgres-pg", marks=pytest.mark.postgres)])
def pm_setup(request, tmp_path, monkeypatch):
    """(source URL, warehouse target): a SQLite file with DuckDB, or two PostgreSQL dbs."""
    monkeypatch.setenv("WAREHOUSE_THREADS", "4")
    if request.param == "sqlite-duckdb":
        target = request.getfixturevalue("duckdb_warehouse")
        yield f"sqlite:///{tmp_path / 'ops' / 'pm.sqlite'}", target
        return
    target = request.getfixturevalue("pg_warehouse")
    server = request.getfixturevalue("pg_server")
    name = f"pm_src_{uuid.uuid4().hex[:10]}"
    auth = server["user"] + (f":{server['password']}" if server["password"] else "")
    yield f"postgresql://{auth}@{server['host']}:{server['port']}/{name}", target
    _pg_admin(server, f"drop database if exists {name} with (force)")


def _source_counts(url: str) -> dict[str, int]:
    return {t: len(generator.live_rows(url, t)) for t in source.TABLES}


def _changed_since(url: str, watermarks: dict[str, datetime | None]) -> dict[str, int]:
    """Rows per table whose updated_at is past the table's watermark, counted in the source."""
    eng = source.engine(url)
    try:
        with eng.connect() as conn:
            counts = {}
            for table in source.TABLES:
                t = sa.table(table, sa.column("updated_at"))
                q = sa.select(sa.func.count()).select_from(t)
                if watermarks.get(table) is not None:
                    q = q.where(t.c.updated_at > watermarks[table])
                counts[table] = conn.execute(q).scalar_one()
            return counts
    finally:
        eng.dispose()


def _delete_in_source(url: str) -> tuple[int, int, datetime]:
    """Soft-delete a live user and hard-delete an open issue (with its activity and links),
    after the last simulated change. Returns (user id, issue id, soft-delete time)."""
    eng = source.engine(url)
    try:
        with eng.begin() as conn:
            last = conn.execute(sa.text("select max(updated_at) from issue_activity")).scalar_one()
            last = last if isinstance(last, datetime) else datetime.fromisoformat(str(last))
            at = last + timedelta(seconds=5)
            user_id = conn.execute(sa.text(
                "select min(user_id) from users where deleted_at is null")).scalar_one()
            issue_id = conn.execute(sa.text(
                "select min(issue_id) from issues where deleted_at is null "
                "and status <> 'closed' and issue_id in (select issue_id from issue_activity)"
            )).scalar_one()
            conn.execute(
                sa.text("update users set deleted_at = :at, updated_at = :at where user_id = :id"),
                {"at": at, "id": user_id},
            )
            for table in ("issue_review_links", "issue_activity", "issues"):
                conn.execute(sa.text(f"delete from {table} where issue_id = :id"), {"id": issue_id})
    finally:
        eng.dispose()
    return user_id, issue_id, at


def _assert_daily_snapshot_matches_history(url: str, as_of: date) -> None:
    """Past days of fct_issue_daily_snapshot equal the simulator's ground truth."""
    kept = {r[0] for r in query("select issue_id from staging.stg_pm__issues")}
    first = scalar("select min(snapshot_date) from pm.fct_issue_daily_snapshot")
    first = first if isinstance(first, date) else date.fromisoformat(str(first))
    days = sorted({first + timedelta(days=n) for n in range(0, (as_of - first).days, 9)}
                  | {as_of - timedelta(days=2), as_of - timedelta(days=1)})
    for day in days:
        end = datetime.combine(day + timedelta(days=1), datetime.min.time())
        truth = {
            (r["issue_id"], r["status"], r["priority"], r["assignee_user_id"])
            for r in generator.state_as_of(url, "issues", end - timedelta(microseconds=1))
            if r["status"] != "closed" and r["deleted_at"] is None and r["issue_id"] in kept
        }
        built = set(query(
            "select issue_id, issue_status, priority, assignee_user_id "
            f"from pm.fct_issue_daily_snapshot where snapshot_date = '{day.isoformat()}'"
        ))
        assert built == truth, (day, sorted(truth - built)[:5], sorted(built - truth)[:5])


def test_pm_warehouse_end_to_end(pm_setup):
    url, target = pm_setup
    generator.generate(url, scale=SCALE, days=DAYS, seed=SEED)

    # First read: every row of every table; a second read with no changes: nothing.
    first = loader.load(url, target)
    assert first.rows_read == _source_counts(url)
    assert sum(first.deleted_keys.values()) == 0
    again = loader.load(url, target)
    assert sum(again.rows_read.values()) == 0
    assert again.last_values == first.last_values
    assert _changed_since(url, again.last_values) == {t: 0 for t in source.TABLES}

    # The first build records history (snapshots); its data tests run with the second build.
    dbt(*PM_SELECT, "--exclude-resource-type", "test")
    assert scalar("select count(*) from staging.stg_pm__rejects") == 0
    assert scalar("select count(*) from staging.stg_pm__issues") == len(
        generator.live_rows(url, "issues"))

    # A simulated day, then one soft and one hard delete; the next read takes exactly the
    # rows whose updated_at passed the previous watermark, plus markers for the deleted keys.
    generator.simulate(url, days=1)
    user_id, issue_id, soft_deleted_at = _delete_in_source(url)
    expected_reads = _changed_since(url, again.last_values)
    third = loader.load(url, target)
    assert third.rows_read == expected_reads
    assert 0 < sum(third.rows_read.values()) < sum(first.rows_read.values())
    assert third.deleted_keys.get("issues", 0) >= 1
    markers = {r[0] for r in query(
        "select key_value from staging.stg_pm__deleted_keys where table_name = 'issues'")}
    assert str(issue_id) in markers

    dbt(*PM_SELECT)
    recorded = dict(query(
        "select table_name, rows_read from ctl.source_watermarks "
        f"where load_id = '{third.load_id}'"
    ))
    assert recorded == expected_reads

    # The soft-deleted user and the hard-deleted issue each closed their dimension version.
    user_versions = query(
        "select is_current, is_deleted, valid_to from pm.dim_user "
        f"where user_id = {user_id} order by valid_from"
    )
    assert not any(v[0] for v in user_versions)
    assert user_versions[-1][1] is True
    assert str(user_versions[-1][2])[:19] == soft_deleted_at.isoformat(sep=" ")[:19]
    issue_versions = query(
        f"select is_current, is_deleted from pm.dim_issue where issue_id = {issue_id}")
    assert issue_versions and not any(v[0] for v in issue_versions)
    assert [v[1] for v in issue_versions].count(True) == 1
    assert scalar(
        f"select count(*) from pm.fct_issue_daily_snapshot where issue_id = {issue_id}") == 0

    # The daily issue snapshot: history as the simulator recorded it, and today as it is now.
    as_of = scalar("select as_of_date from staging.stg_pm__source_clock")
    as_of = as_of if isinstance(as_of, date) else date.fromisoformat(str(as_of))
    _assert_daily_snapshot_matches_history(url, as_of)
    open_now = {
        (r["issue_id"], r["status"], r["priority"], r["assignee_user_id"])
        for r in generator.live_rows(url, "issues")
        if r["status"] != "closed" and r["deleted_at"] is None
    }
    today = set(query(
        "select issue_id, issue_status, priority, assignee_user_id "
        f"from pm.fct_issue_daily_snapshot where snapshot_date = '{as_of.isoformat()}'"
    ))
    assert today == open_now
