"""Two writing runs against one DuckDB file: the second waits, then exits 1 with one line
naming the holder; a lock left by a killed run is taken over (ingest.run_lock).

The holder is a real second process that takes the lock the way the CLI does and sleeps; the
contender is the CLI itself (`load aca` over an empty folder: it writes the warehouse, and
needs no dbt).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from ingest import config, run_lock
with run_lock.hold(config.target(), "python -m ingest nightly (test holder)", wait=0):
    print("held", flush=True)
    time.sleep(float(sys.argv[1]))
"""


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_CI_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
    }


def _holder(env: dict[str, str], seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(seconds)], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


def _load(env: dict[str, str], tmp_path: Path, wait: float) -> subprocess.CompletedProcess:
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "ingest", "load", "aca", str(empty)], cwd=REPO_ROOT,
        env={**env, "WAREHOUSE_LOCK_WAIT_SECONDS": str(wait)}, capture_output=True, text=True,
        timeout=300,
    )


def test_a_second_run_exits_1_naming_the_holder_and_touches_nothing(env, tmp_path):
    holder = _holder(env, 60)
    try:
        started = time.monotonic()
        done = _load(env, tmp_path, wait=1)
        waited = time.monotonic() - started
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    assert f"pid {holder.pid}" in errors[0]
    assert "python -m ingest nightly (test holder)" in errors[0]
    assert "Traceback" not in done.stderr and "Could not set lock" not in done.stderr
    assert waited >= 1
    # the contender never opened the warehouse: no file, no table
    assert not Path(env["WAREHOUSE_CI_DUCKDB_PATH"]).exists()


def test_a_second_run_waits_for_the_first_to_finish(env, tmp_path):
    holder = _holder(env, 15)  # longer than the CLI takes to start on a busy machine
    done = _load(env, tmp_path, wait=120)
    holder.wait(timeout=30)
    assert done.returncode == 0, done.stderr
    assert f"waiting up to 120s for pid {holder.pid}" in done.stderr
    with duckdb.connect(env["WAREHOUSE_CI_DUCKDB_PATH"], read_only=True) as con:
        runs = con.execute(
            "select count(*) from ctl.etl_audit_log where source_name = 'aca'"
        ).fetchone()[0]
    assert runs >= 1


def test_a_lock_left_by_a_killed_run_is_taken_over(env, tmp_path):
    holder = _holder(env, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    done = _load(env, tmp_path, wait=0)
    assert done.returncode == 0, done.stderr
    assert f"taking over from pid {holder.pid}" in done.stderr
    # and the lock it leaves behind is a clean one: the next run says nothing about it
    again = _load(env, tmp_path, wait=0)
    assert again.returncode == 0, again.stderr
    assert "taking over" not in again.stderr


def test_a_bad_wait_setting_is_refused_with_exit_2(env, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "load", "aca", str(empty)], cwd=REPO_ROOT,
        env={**env, "WAREHOUSE_LOCK_WAIT_SECONDS": "soon"}, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("error: WAREHOUSE_LOCK_WAIT_SECONDS")
