"""The operational project-management database: generator, day simulator, change log.

Runs on a SQLite file and on a throwaway PostgreSQL database (marked `postgres`; host, port
and user from WAREHOUSE_PG_HOST / WAREHOUSE_PG_PORT / WAREHOUSE_PG_USER).
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Iterator
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from ingest.config import ConfigError, env
from ingest.generators import pm
from ingest.generators.pm import schema

SCALE = 0.05
TABLES = [t.name for t in schema.OPERATIONAL_TABLES]
FAR_FUTURE = datetime(2100, 1, 1)


def _pg_url(dbname: str) -> str:
    host = env("WAREHOUSE_PG_HOST", "127.0.0.1")
    port = env("WAREHOUSE_PG_PORT", "5432")
    user = env("WAREHOUSE_PG_USER", "postgres")
    return f"postgresql+psycopg2://{user}@{host}:{port}/{dbname}"


def _drop_pg_database(dbname: str) -> None:
    engine = sa.create_engine(_pg_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(
                "select pg_terminate_backend(pid) from pg_stat_activity where datname = :d"
            ), {"d": dbname})
            conn.exec_driver_sql(f'drop database if exists "{dbname}"')
    finally:
        engine.dispose()


@pytest.fixture
def pg_url_factory() -> Iterator:
    """Hands out URLs of PostgreSQL databases that do not exist yet; drops them afterwards."""
    try:
        probe = sa.create_engine(_pg_url("postgres"))
        with probe.connect():
            pass
        probe.dispose()
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable at {_pg_url('postgres')}: {exc}")
    created: list[str] = []

    def make() -> str:
        name = f"pm_test_{uuid.uuid4().hex[:12]}"
        created.append(name)
        return f"postgresql://{env('WAREHOUSE_PG_USER', 'postgres')}@" \
               f"{env('WAREHOUSE_PG_HOST', '127.0.0.1')}:{env('WAREHOUSE_PG_PORT', '5432')}/{name}"

    yield make
    for name in created:
        _drop_pg_database(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_factory(request, tmp_path):
    """URLs of fresh databases on each engine."""
    if request.param == "postgres":
        return request.getfixturevalue("pg_url_factory")
    counter = iter(range(1000))
    return lambda: f"sqlite:///{tmp_path / f'pm_{next(counter)}.sqlite'}"


def _content(url: str, with_history: bool = True) -> dict[str, list[dict]]:
    content = {t: pm.live_rows(url, t) for t in TABLES}
    if with_history:
        engine = pm._engine(url, create=False)
        try:
            with engine.connect() as conn:
                h = schema.sim_history
                content["sim_history"] = [
                    dict(r) for r in conn.execute(sa.select(h).order_by(h.c.history_id)).mappings()
                ]
                clock = pm._read_clock(conn)
                assert clock is not None
                content["sim_clock"] = [{k: clock[k] for k in (
                    "seed", "scale", "history_start", "start_date", "clock_date", "day_index",
                    "next_ids", "updated_at")}]
        finally:
            engine.dispose()
    return content


def _by_key(url: str, table: str) -> dict:
    cols = schema.pk_columns(schema.TABLES[table])
    return {tuple(r[c] for c in cols): r for r in pm.live_rows(url, table)}


# --------------------------------------------------------------------------- determinism


def test_same_seed_same_content_and_other_seed_differs(tmp_path):
    a, b, c = (f"sqlite:///{tmp_path / n}.sqlite" for n in "abc")
    pm.generate(a, scale=SCALE, days=3, seed=11)
    pm.generate(b, scale=SCALE, days=3, seed=11)
    pm.generate(c, scale=SCALE, days=3, seed=12)
    content_a = _content(a)
    assert content_a == _content(b)
    assert content_a["issues"] != _content(c)["issues"]


@pytest.mark.postgres
def test_same_seed_same_content_on_sqlite_and_postgres(tmp_path, pg_url_factory):
    lite, pg = f"sqlite:///{tmp_path / 'pm.sqlite'}", pg_url_factory()
    for url in (lite, pg):
        pm.generate(url, scale=SCALE, days=2, seed=5)
        pm.simulate(url, days=2)
    assert _content(lite) == _content(pg)


def test_generating_more_days_equals_simulating_them(url_factory):
    long_run, short_run = url_factory(), url_factory()
    pm.generate(long_run, scale=SCALE, days=5, seed=3)
    pm.generate(short_run, scale=SCALE, days=2, seed=3)
    pm.simulate(short_run, days=1)
    pm.simulate(short_run, days=2)
    assert _content(long_run) == _content(short_run)


# --------------------------------------------------------------------------- integrity


def test_foreign_keys_hold(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=2, seed=8)
    pm.simulate(url, days=4)
    engine = pm._engine(url, create=False)
    checked = 0
    try:
        with engine.connect() as conn:
            for table in schema.OPERATIONAL_TABLES:
                for fk in table.foreign_keys:
                    child, parent = fk.parent, fk.column
                    orphans = conn.execute(
                        sa.select(sa.func.count())
                        .select_from(table.outerjoin(parent.table, child == parent))
                        .where(child.is_not(None), parent.is_(None))
                    ).scalar_one()
                    assert orphans == 0, f"{table.name}.{child.name} -> {parent.table.name}"
                    checked += 1
    finally:
        engine.dispose()
    assert checked == 14


def test_updated_at_marks_exactly_the_rows_a_day_changed(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=2, seed=21)
    before = {t: _by_key(url, t) for t in TABLES}
    summary = pm.simulate(url, days=1)
    day = summary["first_day"]
    assert day == date(2025, 1, 3)
    changed_rows = 0
    for table in TABLES:
        after = _by_key(url, table)
        for key, row in after.items():
            old = before[table].get(key)
            if old is None:
                assert row["created_at"].date() == day, (table, key)
                assert row["updated_at"] == row["created_at"]
                changed_rows += 1
            elif {k: v for k, v in old.items() if k != "updated_at"} != {
                    k: v for k, v in row.items() if k != "updated_at"}:
                assert row["updated_at"].date() == day, (table, key)
                assert row["updated_at"] > old["updated_at"]
                changed_rows += 1
            else:
                assert row["updated_at"] == old["updated_at"], (table, key)
                assert row["updated_at"].date() < day
    assert changed_rows > 10


def test_every_change_is_logged_with_a_later_timestamp(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=3, seed=4)
    pm.simulate(url, days=2)
    history = _content(url)["sim_history"]
    stamps = [h["change_at"] for h in history]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    last_change = {}
    for h in history:
        last_change[(h["table_name"], h["entity_id"])] = h
    for table in TABLES:
        cols = schema.pk_columns(schema.TABLES[table])
        for row in pm.live_rows(url, table):
            entity_id = "|".join(str(row[c]) for c in cols)
            event = last_change[(table, entity_id)]
            assert event["change_at"] == row["updated_at"]
            assert event["change_kind"] != "hard_delete"
    activity = pm.live_rows(url, "issue_activity")
    assert activity and all(a["activity_at"] == a["updated_at"] for a in activity)


def test_soft_and_hard_deletes_happen(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=1, seed=9)
    summary = pm.simulate(url, days=6)
    changes = summary["changes"]
    assert sum(c["soft_deleted"] for c in changes.values()) > 0
    assert sum(c["hard_deleted"] for c in changes.values()) > 0
    history = _content(url)["sim_history"]
    soft = {(h["table_name"], h["entity_id"]) for h in history if h["change_kind"] == "soft_delete"}
    hard = {(h["table_name"], h["entity_id"]) for h in history if h["change_kind"] == "hard_delete"}
    assert {t for t, _ in hard} >= {"issues", "issue_review_links", "issue_activity",
                                    "project_types"}
    for table, entity_id in soft:
        cols = schema.pk_columns(schema.TABLES[table])
        row = _by_key(url, table).get(tuple(int(v) for v in entity_id.split("|")))
        if (table, entity_id) in hard:
            assert row is None
        else:
            assert row is not None and row["deleted_at"] is not None, (table, entity_id, cols)
    for table, entity_id in hard:
        assert tuple(int(v) for v in entity_id.split("|")) not in _by_key(url, table)
    projects_types = {p["project_type_id"] for p in pm.live_rows(url, "projects")}
    deleted_types = {int(e) for t, e in hard if t == "project_types"}
    assert not projects_types & deleted_types


# --------------------------------------------------------------------------- clock, reuse


def test_simulate_continues_the_clock(url_factory):
    url = url_factory()
    first = pm.generate(url, scale=SCALE, days=2, seed=2, start_date=date(2025, 3, 1))
    assert first["clock_date"] == date(2025, 3, 3)
    second = pm.simulate(url, days=1)
    assert (second["first_day"], second["clock_date"]) == (date(2025, 3, 3), date(2025, 3, 4))
    third = pm.simulate(url, days=2)
    assert (third["first_day"], third["last_day"]) == (date(2025, 3, 4), date(2025, 3, 5))
    latest = max(r["updated_at"] for t in TABLES for r in pm.live_rows(url, t))
    assert latest.date() == date(2025, 3, 5)


def test_reuse_and_force(url_factory, capsys):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=1, seed=1)
    content = _content(url)
    again = pm.generate(url, scale=SCALE, days=4, seed=99)
    assert again["status"] == "reused" and again["seed"] == 1
    assert _content(url) == content

    parser = argparse.ArgumentParser()
    pm.add_arguments(parser)
    assert pm.run(parser.parse_args(["--url", url, "--scale", str(SCALE), "--days", "1"])) == 0
    assert "already holds a generated dataset" in capsys.readouterr().out
    assert _content(url) == content

    forced = pm.run(parser.parse_args(
        ["--url", url, "--scale", str(SCALE), "--days", "2", "--seed", "2", "--force"]))
    assert forced == 0
    regenerated = _content(url)
    assert regenerated["sim_clock"][0]["seed"] == 2
    assert regenerated["issues"] != content["issues"]


def test_simulate_cli_and_missing_database(tmp_path, capsys):
    missing = f"sqlite:///{tmp_path / 'nothing.sqlite'}"
    with pytest.raises(pm.PmError, match="run `generate pm` first"):
        pm.simulate(missing, days=1)
    assert not (tmp_path / "nothing.sqlite").exists()
    url = f"sqlite:///{tmp_path / 'pm.sqlite'}"
    pm.generate(url, scale=SCALE, days=0, seed=1)
    parser = argparse.ArgumentParser()
    pm.add_simulate_arguments(parser)
    assert pm.run_simulate(parser.parse_args(["--url", url, "--days", "2"])) == 0
    assert "clock now at 2025-01-03" in capsys.readouterr().out
    assert pm.run_simulate(parser.parse_args(["--url", missing])) == 2
    assert "generate pm" in capsys.readouterr().err


def test_default_url_lives_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    summary = pm.generate(None, scale=SCALE, days=0, seed=1)
    assert summary["status"] == "done"
    assert (tmp_path / "data" / "ops" / "pm.sqlite").is_file()


def test_refuses_the_warehouse_database(monkeypatch, capsys):
    with pytest.raises(pm.PmError, match="warehouse database"):
        pm.generate("postgresql://postgres@127.0.0.1:5432/warehouse", scale=SCALE, days=0)
    monkeypatch.setenv("WAREHOUSE_PG_DBNAME", "analytics")
    with pytest.raises(pm.PmError, match="warehouse database"):
        pm.simulate("postgresql://postgres@127.0.0.1:5432/analytics", days=1)
    with pytest.raises(ConfigError):
        pm.generate('postgresql://postgres@127.0.0.1:5432/bad"name', scale=SCALE, days=0)
    parser = argparse.ArgumentParser()
    pm.add_arguments(parser)
    args = parser.parse_args(["--url", "postgresql://postgres@127.0.0.1:5432/analytics"])
    assert pm.run(args) == 2
    assert "refusing" in capsys.readouterr().err


def test_bad_arguments_are_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'pm.sqlite'}"
    with pytest.raises(pm.PmError, match="scale"):
        pm.generate(url, scale=0, days=1)
    with pytest.raises(pm.PmError, match="days"):
        pm.generate(url, scale=SCALE, days=-1)
    with pytest.raises(pm.PmError, match="backend"):
        pm.generate("mysql://localhost/pm", scale=SCALE, days=0)
    parser = argparse.ArgumentParser()
    pm.add_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--scale", "-1"])


def test_failed_generation_leaves_nothing_behind(url_factory, monkeypatch):
    url = url_factory()
    real_day = pm._simulate_day

    def failing_day(state):
        if state.day_index == 40:
            raise RuntimeError("simulated crash")
        real_day(state)

    monkeypatch.setattr(pm, "_simulate_day", failing_day)
    with pytest.raises(RuntimeError, match="simulated crash"):
        pm.generate(url, scale=SCALE, days=1, seed=1)
    engine = pm._engine(url, create=False)
    try:
        with engine.connect() as conn:
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()
    monkeypatch.setattr(pm, "_simulate_day", real_day)
    assert pm.generate(url, scale=SCALE, days=1, seed=1)["status"] == "done"


@pytest.mark.postgres
def test_postgres_database_is_created(pg_url_factory):
    url = pg_url_factory()
    dbname = url.rsplit("/", 1)[1]
    with pytest.raises(pm.PmError, match="cannot open"):
        pm.simulate(url, days=1)
    assert pm.generate(url, scale=SCALE, days=1, seed=1)["status"] == "done"
    engine = sa.create_engine(_pg_url("postgres"))
    try:
        with engine.connect() as conn:
            found = conn.execute(sa.text("select 1 from pg_database where datname = :d"),
                                 {"d": dbname}).first()
    finally:
        engine.dispose()
    assert found is not None


# --------------------------------------------------------------------------- history


def test_state_as_of_now_equals_live_tables(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=2, seed=6)
    pm.simulate(url, days=3)
    for table in TABLES:
        live = pm.live_rows(url, table)
        assert live, table
        assert pm.state_as_of(url, table, FAR_FUTURE) == live, table


def test_state_as_of_rebuilds_an_earlier_state(url_factory):
    url = url_factory()
    pm.generate(url, scale=SCALE, days=1, seed=6)
    earlier = {t: pm.live_rows(url, t) for t in TABLES}
    cut = max(r["updated_at"] for rows in earlier.values() for r in rows)
    pm.simulate(url, days=3)
    for table in TABLES:
        assert pm.state_as_of(url, table, cut) == earlier[table], table
    assert pm.state_as_of(url, "issues", datetime(2000, 1, 1)) == []
    with pytest.raises(pm.PmError, match="unknown table"):
        pm.state_as_of(url, "sim_history", cut)
