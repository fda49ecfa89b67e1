"""Runs started at once on one warehouse: one writes at a time, the others wait or fail fast,
and every run that did not complete leaves its failure row (ingest.run_lock,
ingest.audit_spool).

DuckDB: a `build` holds the warehouse; started while it runs, a `nightly`, a `demo`, a
`load` and an `ingest run` told not to wait (WAREHOUSE_LOCK_WAIT_SECONDS=0) exit 1 at once
with one line naming the build, and spool their failure rows beside the file; a `load` told
to wait lands after the build. The next run replays the spool. Row counts then equal those
of the same commands run one after the other in a warehouse of their own, and the audit
tables hold one row per run, the refused ones included, none twice.

PostgreSQL: the same lock, an advisory lock of the database; a refused run writes its
failure row at once (the server takes it while another run holds the lock); two loads
started together both complete and land the files once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fixtures.bad_input.reliability import ACA_BUILD, REPO_ROOT

from ingest import audit_spool, config, domains, runner
from ingest.generators import aca as generator

pytestmark = pytest.mark.build
SCALE = 0.02
DAYS = 8
HOLDER = """
import sys, time
from ingest import config, run_lock
with run_lock.hold(config.target(), "python -m ingest build (test holder)", wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


def sample(folder: Path) -> tuple[Path, Path]:
    """The ACA sample split in two: days 1-4 and days 5-8, each in a folder of its own."""
    manifest = generator.generate(folder / "all", SCALE, date(2025, 1, 1), DAYS, seed=31)
    later = manifest["generated_days"][4:]
    first, second = folder / "first", folder / "second"
    for part in (first, second):
        part.mkdir()
    for f in (folder / "all").glob("*.csv"):
        shutil.copy2(f, (second if any(d in f.name for d in later) else first) / f.name)
    return first, second


def files_source(folder: Path) -> Path:
    (folder / "drop").mkdir()
    (folder / "drop" / "readings.csv").write_text("id,value\n1,10\n2,20\n")
    cfg = folder / "drop.toml"
    cfg.write_text(
        f'[sources.drop]\nprotocol = "files"\nbase_dir = "{folder / "drop"}"\n\n'
        '[sources.drop.tables.readings]\nglob = "*.csv"\ndelimiter = ","\n'
    )
    return cfg


def duckdb_env(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_CI_DUCKDB_PATH": str(folder / "warehouse.duckdb"),
        "WAREHOUSE_DATA_DIR": str(folder / "data"),
        "WAREHOUSE_DBT_TARGET_PATH": str(folder / "dbt_target"),
        "WAREHOUSE_THREADS": "2",
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "2GB",
    }


def start(env: dict, *args: str, wait: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", *args], cwd=REPO_ROOT,
        env={**env, "WAREHOUSE_LOCK_WAIT_SECONDS": str(wait)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen, timeout: float = 900) -> tuple[int, str]:
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err


def ingest(env: dict, *args: str, wait: float = 60) -> None:
    code, err = finish(start(env, *args, wait=wait))
    assert code == 0, err[-3000:]


def wait_for_holder(lock: Path, word: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        try:
            holder = json.loads(lock.read_text()) if lock.exists() else {}
        except ValueError:  # being written
            holder = {}
        if word in holder.get("command", ""):
            return
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        time.sleep(0.1)
    raise AssertionError(f"{word} never took the lock")


def counts(path: Path, schemas: tuple[str, ...]) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in {schemas} and table_type = 'BASE TABLE' "
            "and table_name not like '\\_dlt\\_%' escape '\\' order by 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
                for s, t in tables}


def test_runs_started_at_once_on_one_duckdb_file(tmp_path):
    first, second = sample(tmp_path / "sample")
    cfg = files_source(tmp_path)
    run_args = ("run", "--config", str(cfg), "--source", "drop", "--table", "readings")

    # the same commands one after the other, in a warehouse of their own
    serial = duckdb_env(tmp_path / "serial")
    ingest(serial, "load", "aca", str(first))
    ingest(serial, "build", *ACA_BUILD)
    ingest(serial, "load", "aca", str(second))

    env = duckdb_env(tmp_path / "together")
    path = Path(env["WAREHOUSE_CI_DUCKDB_PATH"])
    ingest(env, "load", "aca", str(first))
    build = start(env, "build", *ACA_BUILD, wait=0)
    wait_for_holder(path.with_name(path.name + ".lock"), "build", build)
    refused = {
        "nightly": start(env, "nightly", "--domains", "aca", wait=0),
        "demo": start(env, "demo", wait=0),
        "load": start(env, "load", "aca", str(second), wait=0),
        "run": start(env, *run_args, wait=0),
    }
    waiting = start(env, "load", "aca", str(second), wait=600)
    for name, proc in refused.items():
        code, err = finish(proc)
        proc.stderr_text = err
        assert code == 1, f"{name}: {err[-3000:]}"
        errors = [line for line in err.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and f"pid {build.pid}" in errors[0], f"{name}: {err}"
        assert "Traceback" not in err and "Could not set lock" not in err, err
    build_code, build_err = finish(build)
    waiting_code, waiting_err = finish(waiting)
    assert build_code == 0, build_err[-3000:]
    assert waiting_code == 0, waiting_err[-3000:]
    assert f"waiting up to 600s for pid {build.pid}" in waiting_err
    for name, proc in refused.items():
        assert "audit: failure row of" in proc.stderr_text, name  # spooled, not lost
    # the spool was replayed by the waiting load, which held the warehouse next
    spool = path.with_name(path.name + ".audit-spool")
    assert "spooled run record(s) written" in waiting_err
    assert list(spool.glob("*.json")) == []

    assert counts(path, ("raw_aca", "aca")) == counts(
        Path(serial["WAREHOUSE_CI_DUCKDB_PATH"]), ("raw_aca", "aca")
    )
    with duckdb.connect(str(path), read_only=True) as con:
        runs = con.execute("select run_id, run_kind, command, status, message from ctl.etl_run"
                           ).fetchall()
        audit_ids = [r[0] for r in con.execute("select run_id from ctl.etl_audit_log").fetchall()]
    assert len({r[0] for r in runs}) == len(runs), "a run recorded twice"
    assert len(set(audit_ids)) == len(audit_ids), "an audit row written twice"
    not_started = [r for r in runs if (r[4] or "").startswith("not started:")]
    assert all(r[3] == "failure" and f"pid {build.pid}" in r[4] for r in not_started)
    commands = sorted(r[2] for r in not_started)
    expected = sorted(
        ["nightly aca", "dbt build (nightly)", "dbt build (demo)", "load aca",
         "run --source drop --table readings"] + [f"demo {d}" for d in domains.names()]
    )
    assert commands == expected
    ingest_ids = {r[0] for r in not_started if r[1] == "ingest"}
    assert ingest_ids <= set(audit_ids)  # each refused landing has its etl_audit_log row
    # the runs that did complete: two loads (one before, one after the build), the build
    assert sorted(r[3] for r in runs if r not in not_started) == ["success"] * 3


def test_a_spooled_row_is_replayed_once(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_TARGET", "ci")
    monkeypatch.setenv("WAREHOUSE_CI_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    target = config.target()
    record = runner.new_run("warehouse_aca", "aca", "files", "raw_aca", "load aca")
    record.finish("failure", "Could not set lock on file")
    kept = audit_spool.spool(record, target)
    copy = kept.read_text()
    said: list[str] = []
    assert audit_spool.replay(target, said.append) == 1
    assert not kept.exists()
    kept.write_text(copy)  # a replay that wrote the rows but died before removing the file
    assert audit_spool.replay(target, said.append) == 1
    with duckdb.connect(str(target.duckdb_path), read_only=True) as con:
        for table in ("etl_audit_log", "etl_run"):
            rows = con.execute(f"select status, started_at from ctl.{table} where run_id = ?",
                               [record.run_id]).fetchall()
            assert len(rows) == 1 and rows[0][0] == "failure", table
            assert rows[0][1] == record.started_at


def pg_env(target: config.Target, folder: Path) -> dict[str, str]:
    keys = ("HOST", "PORT", "USER", "PASSWORD", "DBNAME")
    values = (target.pg_host, target.pg_port, target.pg_user, target.pg_password,
              target.pg_dbname)
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_TARGET": "pg",
        "WAREHOUSE_DATA_DIR": str(folder / "data"),
        **{f"WAREHOUSE_PG_{k}": str(v or "") for k, v in zip(keys, values, strict=True)},
    }


@pytest.mark.postgres
def test_runs_started_at_once_on_postgresql(pg_warehouse, tmp_path):
    first, _ = sample(tmp_path / "sample")
    env = pg_env(pg_warehouse, tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, "300"], cwd=REPO_ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held", holder.stderr.read()
    refused = start(env, "load", "aca", str(first), wait=0)
    together = [start(env, "load", "aca", str(first), wait=300) for _ in range(2)]
    code, err = finish(refused)
    assert code == 1, err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"pid {holder.pid}" in errors[0], err
    assert "(test holder)" in errors[0]
    time.sleep(3)  # the two loads have started and wait for the holder
    holder.kill()  # its session ends, and the advisory lock with it
    holder.wait()
    results = [finish(p) for p in together]
    assert [c for c, _ in results] == [0, 0], [e[-2000:] for _, e in results]
    assert any(f"waiting up to 300s for pid {holder.pid}" in e for _, e in results)

    from ingest import warehouse

    with warehouse.connect(pg_warehouse) as con:
        runs = warehouse.fetchall(
            con, "select status, error_message from ctl.etl_audit_log order by started_at")
        landed = warehouse.fetchall(con, "select count(*) from raw_aca._landed_files")[0][0]
    # the refused run's row was written at once (no spool), and each load has its row
    assert sorted(s for s, _ in runs) == ["failure", "success", "success"]
    assert any((m or "").startswith("not started:") for _, m in runs)
    assert landed == len(list(first.glob("*.csv")))  # landed once, not twice
    assert not audit_spool.pending(pg_warehouse)


@pytest.mark.postgres
def test_postgresql_landings_of_different_domains_share_the_warehouse(pg_warehouse):
    from ingest import run_lock

    said: list[str] = []

    def hold(command: str, landing: str | None = None):
        return run_lock.hold(pg_warehouse, command, wait=0, say=said.append, landing=landing)

    with hold("load pm", landing="pm"):
        with hold("load aca", landing="aca"):
            pass  # another domain lands side by side
        with pytest.raises(run_lock.LockHeld, match="load pm"), hold("load pm", landing="pm"):
            pass  # the same domain waits for the first landing
        with pytest.raises(run_lock.LockHeld, match="load pm"), hold("build"):
            pass  # a build waits for every landing
    with hold("build"), pytest.raises(run_lock.LockHeld, match="build"), hold(
        "load aca", landing="aca"
    ):
        pass  # and no landing starts during a build
