"""A PostgreSQL server that dies: stopped (immediate shutdown, as a crash) in the middle of a
load and in the middle of a build, then started again.

The run fails with one line naming the server (`lost PostgreSQL host:port/db ...`), exit 1,
no traceback; the rows the dead load had already committed stay in the raw tables but no
staging model reads them (macro `landed`: only completed dlt loads); the next runs recover
to exactly the marts of a clean run on the same files, built the same way on a second
database of the same server.

The server is the test's own (initdb/pg_ctl of PostgreSQL 15 in a temp folder on a free
port), never the shared one: it is stopped on purpose.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import psycopg2
import pytest
from fixtures.bad_input.reliability import (
    ACA_BUILD,
    ACA_TABLES,
    PYTHON,
    REPO_ROOT,
    build_aca,
    scalar,
    table_reconciliation,
)
from test_reliability_crashes import mart_checksums

from ingest import config
from ingest.generators import aca as generator
from ingest.loaders import aca as loader

pytestmark = [pytest.mark.build, pytest.mark.postgres]

PG_BIN = Path(os.environ.get("WAREHOUSE_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
START = date(2025, 1, 1)
DAYS = 8
SCALE = 0.03


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OwnServer:
    """A PostgreSQL cluster of this test: initdb in a temp folder, pg_ctl start/stop."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="warehouse-pg-dies-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            shutil.chown(self.root, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_postgres, *cmd], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c max_connections=60")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def connect(self, dbname: str = "postgres"):
        con = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                               dbname=dbname, connect_timeout=5)
        con.autocommit = True
        return con

    def sql(self, text: str, dbname: str = "postgres") -> list[tuple]:
        con = self.connect(dbname)
        try:
            with con.cursor() as cur:
                cur.execute(text)
                return cur.fetchall() if cur.description else []
        finally:
            con.close()


@pytest.fixture(scope="module")
def own_server():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL binaries in {PG_BIN} (set WAREHOUSE_TEST_PG_BIN)")
    server = OwnServer()
    server.init()
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):  # stopped by a failed test
        server.stop("fast")
    shutil.rmtree(server.root, ignore_errors=True)


def use_database(server: OwnServer, name: str, monkeypatch, tmp: Path) -> config.Target:
    server.sql(f'create database "{name}"')
    monkeypatch.setenv("WAREHOUSE_TARGET", "pg")
    monkeypatch.setenv("WAREHOUSE_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("WAREHOUSE_PG_PORT", str(server.port))
    monkeypatch.setenv("WAREHOUSE_PG_USER", "postgres")
    monkeypatch.setenv("WAREHOUSE_PG_PASSWORD", "")
    monkeypatch.setenv("WAREHOUSE_PG_DBNAME", name)
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp / "data"))
    monkeypatch.setenv("WAREHOUSE_DBT_TARGET_PATH", str(tmp / "dbt_target"))
    monkeypatch.setenv("WAREHOUSE_THREADS", "2")
    return config.target()


def start_cli(*args: str, stdout=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "ingest", *args], cwd=REPO_ROOT, env=dict(os.environ), text=True,
        stdout=stdout, stderr=subprocess.PIPE, start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        out, err = proc.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail("the run did not end after its server died")
    return proc.returncode, (out or "") + (err or "")


def assert_one_clear_line(code: int, output: str, target: config.Target, step: str) -> str:
    where = f"{target.pg_host}:{target.pg_port}/{target.pg_dbname}"
    assert code == 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors, output[-3000:]
    last = errors[-1]
    assert f"lost PostgreSQL {where}" in last and step in last, last
    return last


def orphan_rows(server: OwnServer, dbname: str, tables=ACA_TABLES) -> int:
    """Rows in raw tables that belong to no completed dlt load (a load that died)."""
    total = 0
    for table in tables:
        total += server.sql(
            f"select count(*) from raw_aca.{table} where _dlt_load_id not in "
            "(select load_id from raw_aca._dlt_loads where status = 0)", dbname)[0][0]
    return total


def stop_when(server: OwnServer, dbname: str, proc: subprocess.Popen, ready) -> str:
    """Poll until `ready()` says the moment has come, then stop the server (immediate)."""
    deadline = time.monotonic() + 150
    while proc.poll() is None and time.monotonic() < deadline:
        seen = ready()
        if seen:
            server.stop("immediate")
            return seen
        if not getattr(ready, "reads_output", False):
            time.sleep(0.01)
    pytest.fail(f"the run ended (rc {proc.poll()}) before the moment to stop the server came")
    return ""


def blocked_on_claim_lines(server: OwnServer, dbname: str):
    """The load caught half-landed: its write of raw_aca.claim_lines waits on a lock the test
    holds, while the other tables of the same load commit (rows of a load that never reaches
    `_dlt_loads`)."""
    waiting_since: list[float] = []

    def ready() -> str:
        waiting = server.sql(
            "select count(*) from pg_stat_activity where datname = "
            f"'{dbname}' and wait_event_type = 'Lock' and query ilike '%claim_lines%'")[0][0]
        if not waiting:
            return ""
        waiting_since.append(time.monotonic())
        committed = orphan_rows(server, dbname, [t for t in ACA_TABLES if t != "claim_lines"])
        if committed or time.monotonic() - waiting_since[0] > 20:
            return f"claim_lines waiting on a lock, {committed} rows of the load committed"
        return ""

    return ready


def dbt_node_started(proc: subprocess.Popen, model: str):
    def ready() -> str:
        line = proc.stdout.readline()
        return line.strip() if " START " in line and f".{model} " in line else ""

    ready.reads_output = True
    return ready


def copy_day(sample: Path, inbox: Path, day: str) -> None:
    for f in sample.glob(f"*_{day}.csv"):
        shutil.copy(f, inbox)


def test_server_stopped_mid_load_and_mid_build(own_server, tmp_path, monkeypatch):
    sample = tmp_path / "sample"
    manifest = generator.generate(sample, SCALE, START, DAYS, seed=11, dirty=True)
    days = manifest["generated_days"]
    first, rest = tmp_path / "inbox_first", tmp_path / "inbox_rest"
    first.mkdir()
    shutil.copy(sample / "rating_areas.csv", first)
    copy_day(sample, first, days[0])
    rest.mkdir()
    for d in days[1:]:
        copy_day(sample, rest, d)

    # a clean run: day one landed, the rest landed, one build
    clean = use_database(own_server, "clean_run", monkeypatch, tmp_path / "clean")
    loader.load([first], clean)
    loader.load([first, rest], clean)
    build_aca()
    expected = mart_checksums()
    assert expected["aca.fct_claim_lines"][0] > 0

    # the same files, the server stopped while the second load writes the raw tables
    target = use_database(own_server, "dies", monkeypatch, tmp_path / "dies")
    loader.load([first], target)
    blocker = own_server.connect("dies")
    blocker.autocommit = False
    blocker.cursor().execute("lock table raw_aca.claim_lines in access exclusive mode")
    proc = start_cli("load", "aca", str(first), str(rest), stdout=subprocess.PIPE)
    seen = stop_when(own_server, "dies", proc, blocked_on_claim_lines(own_server, "dies"))
    code, output = finish(proc)
    blocker.close()
    own_server.start()
    line = assert_one_clear_line(code, output, target, "landing raw_aca")
    print("load stopped at:", seen, "| the run said:", line)
    half_landed = orphan_rows(own_server, "dies")
    print("rows of the dead load committed before the server stopped:", half_landed)
    assert half_landed > 0, "no table of the dead load committed: nothing half-landed to read"

    # the next load lands the dead load's files again, once
    again = loader.load([first, rest], target)
    assert again.files_landed, "the files of the dead load were not landed again"
    assert orphan_rows(own_server, "dies") == half_landed  # still there, never read

    # the server stopped while the build runs the incremental fact
    proc = start_cli("build", "--", *ACA_BUILD)
    seen = stop_when(own_server, "dies", proc, dbt_node_started(proc, "fct_claim_lines"))
    code, output = finish(proc)
    own_server.start()
    line = assert_one_clear_line(code, output, target, "running dbt build")
    print("build stopped at:", seen, "| the run said:", line)

    # the next build recovers: its data tests pass, staging reads completed loads only
    # (raw rows of completed loads = rows used + rows rejected, table by table, while the
    # dead load's committed rows are still in the raw tables), every mart equals the clean run
    build_aca()
    completed = 0
    for table, (raw, used, rejected) in table_reconciliation(target).items():
        assert raw == used + rejected, (table, raw, used, rejected)
        completed += raw
    every_raw_row = sum(
        scalar(f"select count(*) from raw_aca.{table}", target) for table in ACA_TABLES
    )
    assert every_raw_row - completed == half_landed
    assert mart_checksums() == expected
