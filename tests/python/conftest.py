"""Shared fixtures: a throwaway warehouse per test on DuckDB and on PostgreSQL.

PostgreSQL is found in this order: the WAREHOUSE_PG_* variables; a server on
127.0.0.1:5432; otherwise a real throwaway server started from the `pgserver` wheel.
The PostgreSQL suite never skips silently: if no server can be had, those tests fail.
Each test gets its own database, dropped afterwards.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from pathlib import Path

import pytest

from ingest import config

REPO_ROOT = Path(__file__).resolve().parents[2]
ENGINES = ("duckdb", "pg")

# Module-scoped fixtures that build a warehouse with dbt: a test using one is a `build` test.
BUILDING_FIXTURES = frozenset({"bad_day"})


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


@pytest.fixture(autouse=True)
def _dbt_only_in_build_tests(request, monkeypatch):
    """`make test-fast` leaves out the tests marked `build`: any other test that starts dbt
    fails here, naming the marker it lacks, so the fast set stays free of warehouse builds."""
    if request.node.get_closest_marker("build") is not None:
        return
    from ingest import dbt_runner

    def refuse(*args, **kwargs):
        raise AssertionError(
            f"{request.node.nodeid} runs dbt: mark it `build` (pytest.mark.build)"
        )

    monkeypatch.setattr(dbt_runner, "invoke", refuse)
    monkeypatch.setattr(dbt_runner, "run_cli", refuse)


def real_data_dir() -> Path | None:
    path = Path(os.environ.get("WAREHOUSE_REAL_DATA_DIR", REPO_ROOT.parent / "shared/data/real"))
    if path.is_dir():
        return path
    if os.environ.get("WAREHOUSE_REQUIRE_REAL_DATA") == "1":
        pytest.fail(f"real data folder {path} is missing and WAREHOUSE_REQUIRE_REAL_DATA=1")
    pytest.skip(f"real data folder {path} not found (set WAREHOUSE_REAL_DATA_DIR)")
    return None


@pytest.fixture
def real_data() -> Path:
    return real_data_dir()


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory) -> dict:
    """Connection settings of a PostgreSQL server (found or started)."""
    host = os.environ.get("WAREHOUSE_PG_HOST", "127.0.0.1")
    port = int(os.environ.get("WAREHOUSE_PG_PORT", "5432"))
    user = os.environ.get("WAREHOUSE_PG_USER", "postgres")
    password = os.environ.get("WAREHOUSE_PG_PASSWORD", "")
    if _port_open(host, port):
        yield {"host": host, "port": port, "user": user, "password": password}
        return
    import pgserver  # a real server from a wheel, where none runs

    server = pgserver.get_server(tmp_path_factory.mktemp("pgserver"), cleanup_mode="stop")
    uri = server.get_uri()
    from urllib.parse import urlparse

    parsed = urlparse(uri)
    yield {
        "host": parsed.hostname or "127.0.0.1",
        "port": parsed.port or 5432,
        "user": parsed.username or "postgres",
        "password": parsed.password or "",
        "socket_uri": uri,
    }
    server.cleanup()


def _pg_admin(server: dict, sql: str) -> None:
    import psycopg2

    con = psycopg2.connect(
        host=server["host"],
        port=server["port"],
        user=server["user"],
        password=server["password"] or None,
        dbname="postgres",
    )
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(sql)
    con.close()


# Parallel plans at any table size, for every session of a test database: a function or a
# query that is wrong in a parallel worker fails at test scale, as it would on a large table.
# WAREHOUSE_TEST_PARALLEL_PLANS=0 leaves the server's settings (the ACA build test took 63 s
# either way).
PARALLEL_PLANS = {
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
    "min_parallel_table_scan_size": "0",
    "max_parallel_workers_per_gather": "2",
}


def parallel_plans_sql(name: str) -> str:
    return "; ".join(
        f'alter database "{name}" set {key} = {value}' for key, value in PARALLEL_PLANS.items()
    )


def create_test_database(server: dict, name: str) -> None:
    """An empty database on the test server whose sessions plan in parallel (PARALLEL_PLANS)."""
    _pg_admin(server, f'create database "{name}"')
    if os.environ.get("WAREHOUSE_TEST_PARALLEL_PLANS", "1") != "0":
        _pg_admin(server, parallel_plans_sql(name))


@pytest.fixture
def pg_database(pg_server) -> str:
    name = f"wh_test_{uuid.uuid4().hex[:10]}"
    create_test_database(pg_server, name)
    yield name
    _pg_admin(pg_server, f"drop database if exists {name} with (force)")


def stable_slot(engine: str, slot: str = "test") -> Path:
    """A folder that keeps its path for every test of this pytest worker (dbt's target folder
    for slow-to-parse targets such as Spark). Not for warehouse files: an in-process DuckDB
    keeps a database open by path, so each test's DuckDB file must have a path of its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    folder = Path(tempfile.gettempdir()) / f"warehouse-tests-{os.getpid()}-{worker}" / (
        f"{slot}-{engine}"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _warehouse_env(engine: str, tmp_path: Path, monkeypatch, request) -> config.Target:
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WAREHOUSE_DBT_TARGET_PATH", str(tmp_path / "dbt_target"))
    monkeypatch.setenv("WAREHOUSE_THREADS", "2")
    if engine == "duckdb":
        monkeypatch.setenv("WAREHOUSE_TARGET", "dev")
        monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
        monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "2GB")
    else:
        server = request.getfixturevalue("pg_server")
        dbname = request.getfixturevalue("pg_database")
        monkeypatch.setenv("WAREHOUSE_TARGET", "pg")
        monkeypatch.setenv("WAREHOUSE_PG_HOST", str(server["host"]))
        monkeypatch.setenv("WAREHOUSE_PG_PORT", str(server["port"]))
        monkeypatch.setenv("WAREHOUSE_PG_USER", server["user"])
        monkeypatch.setenv("WAREHOUSE_PG_PASSWORD", server["password"])
        monkeypatch.setenv("WAREHOUSE_PG_DBNAME", dbname)
    return config.target()


@pytest.fixture(params=ENGINES)
def warehouse(request, tmp_path, monkeypatch) -> config.Target:
    """A throwaway warehouse on each engine; the environment points dlt and dbt at it."""
    return _warehouse_env(request.param, tmp_path, monkeypatch, request)


@pytest.fixture
def duckdb_warehouse(request, tmp_path, monkeypatch) -> config.Target:
    return _warehouse_env("duckdb", tmp_path, monkeypatch, request)


@pytest.fixture
def pg_warehouse(request, tmp_path, monkeypatch) -> config.Target:
    return _warehouse_env("pg", tmp_path, monkeypatch, request)


CHROMIUM = os.environ.get("WAREHOUSE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("WAREHOUSE_CHROMEDRIVER", "/usr/bin/chromedriver")


def start_chromium(profile_dir: Path, window: str = "1400,1000", page_load_timeout: int = 60):
    """Headless Chromium driven by chromedriver (Debian's chromium and chromium-driver,
    installed by scripts/install-system-deps.sh), with no network of its own."""
    import shutil

    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not shutil.which(p)]
    if missing:
        pytest.fail(
            f"{', '.join(missing)} not found: run scripts/install-system-deps.sh "
            "(Debian packages chromium and chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-quic", "--no-first-run",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile_dir}", f"--window-size={window}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(page_load_timeout)
    return driver


def copy_project(dest: Path) -> None:
    """Copy the project as git would commit it (tracked and untracked-but-not-ignored files)
    to `dest`, for a test that changes a copy and builds it."""
    import shutil
    import subprocess

    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = REPO_ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def dbt(*args: str) -> None:
    """Run a dbt command against the current warehouse; fail the test with dbt's message."""
    from ingest import dbt_runner

    result = dbt_runner.invoke(list(args))
    if result.exception is not None:
        raise AssertionError(f"dbt {' '.join(args)} raised: {result.exception}")
    if not result.success:
        failures = [
            f"{r.node.unique_id}: {r.status} {r.message or ''}".strip()
            for r in (result.result or [])
            if str(r.status) not in ("success", "pass", "skipped")
        ]
        raise AssertionError(f"dbt {' '.join(args)} failed:\n" + "\n".join(failures[:30]))


def query(sql: str) -> list[tuple]:
    from ingest import warehouse

    with warehouse.connect() as con:
        return warehouse.fetchall(con, sql)


def scalar(sql: str):
    return query(sql)[0][0]
