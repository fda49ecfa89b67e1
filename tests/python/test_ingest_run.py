"""`python -m ingest run` and `test-connection`, run as a user runs them (subprocess).

Sources are real: a throwaway PostgreSQL database on the test server (the examples'
`SHOP_DATABASE_URL`), the example REST API served on 127.0.0.1, files in a temporary folder.
Each test checks the exit code, the JSON on stdout, the Parquet lake and the audit rows.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO_ROOT, query, scalar

EXAMPLES = REPO_ROOT / "examples"
RESULT_KEYS = {"run_id", "status", "rows_loaded", "parquet_files", "duration_seconds"}


def ingest(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict | None, str]:
    """Run the CLI; (exit code, the JSON object on stdout or None, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", *args],
        cwd=REPO_ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) <= 1, f"stdout must hold one JSON object at most: {proc.stdout!r}"
    return proc.returncode, (json.loads(lines[0]) if lines else None), proc.stderr


def audit_rows(where: str = "1 = 1") -> list[tuple]:
    return query(
        "select run_id, status, source_name, protocol, target_table, rows_loaded, parquet_files, "
        f"error_message from ctl.etl_audit_log where {where} order by started_at"
    )


def assert_lake_file(path: str, lake: Path, protocol: str, source: str, rows: int) -> None:
    """`<lake>/<protocol>/<source>/<YYYY-MM-DD>/<source>_<utc timestamp>.parquet`, `rows` rows."""
    p = Path(path)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert p.parent == lake / protocol / source / today, p
    assert re.fullmatch(rf"{source}_\d{{8}}T\d{{12}}Z\.parquet", p.name), p.name
    assert pq.read_metadata(p).num_rows == rows


# ---- PostgreSQL source database ---------------------------------------------------------


def _pg(server: dict, dbname: str, sql: str, params: tuple = ()) -> None:
    con = psycopg2.connect(
        host=server["host"], port=server["port"], user=server["user"],
        password=server["password"] or None, dbname=dbname,
    )
    con.autocommit = True
    with con.cursor() as cur:
        cur.execute(sql, params)
    con.close()


@pytest.fixture
def shop_db(pg_server) -> dict:
    """A throwaway `shop` database with customers and orders; yields its URL and a runner."""
    name = f"shop_src_{uuid.uuid4().hex[:10]}"
    _pg(pg_server, "postgres", f"create database {name}")
    _pg(
        pg_server, name,
        """
        create table customers (customer_id integer primary key, name text, city text);
        insert into customers values (1, 'Ada', 'Boston'), (2, 'Grace', 'Denver'),
                                     (3, 'Alan', 'Austin');
        create table orders (
            order_id integer primary key, customer_id integer, amount_usd numeric(10, 2),
            status text, updated_at timestamp not null
        );
        insert into orders values
            (1, 1, 50.00, 'open', '2024-01-01 09:00'), (2, 1, 150.00, 'open', '2024-01-02 09:00'),
            (3, 2, 20.00, 'open', '2024-01-03 09:00'), (4, 3, 300.00, 'open', '2024-01-04 09:00'),
            (5, 3, 75.00, 'open', '2024-01-05 09:00');
        """,
    )
    auth = server_auth(pg_server)
    url = f"postgresql://{auth}@{pg_server['host']}:{pg_server['port']}/{name}"
    yield {"url": url, "sql": lambda sql: _pg(pg_server, name, sql), "server": pg_server}
    _pg(pg_server, "postgres", f"drop database if exists {name} with (force)")


def server_auth(server: dict) -> str:
    return server["user"] + (f":{server['password']}" if server["password"] else "")


# ---- sql ---------------------------------------------------------------------------------


def test_incremental_sql_source_read_twice(warehouse, shop_db, tmp_path):
    """Second run reads only rows past the watermark; merge updates the changed order."""
    lake = tmp_path / "lake"
    env = {"SHOP_DATABASE_URL": shop_db["url"]}
    args = ["run", "--config", str(EXAMPLES / "incremental_postgres.toml"),
            "--source", "shop", "--table", "orders", "--lake", str(lake)]

    code, out, err = ingest(*args, env=env)
    assert code == 0, err
    assert set(out) >= RESULT_KEYS and out["status"] == "success"
    assert out["rows_loaded"] == 5
    assert len(out["parquet_files"]) == 1
    assert_lake_file(out["parquet_files"][0], lake, "sql", "shop", 5)
    assert scalar("select count(*) from raw_shop.orders") == 5

    shop_db["sql"](
        "update orders set status = 'shipped', updated_at = '2024-01-06 09:00' where order_id = 2;"
        "insert into orders values (6, 2, 10.00, 'open', '2024-01-07 09:00'),"
        " (7, 1, 99.00, 'open', '2024-01-08 09:00');"
    )
    code, out2, err = ingest(*args, env=env)
    assert code == 0, err
    assert out2["rows_loaded"] == 3  # the changed order and two new ones, nothing re-read
    assert_lake_file(out2["parquet_files"][0], lake, "sql", "shop", 3)
    assert scalar("select count(*) from raw_shop.orders") == 7  # merged on order_id
    assert scalar("select status from raw_shop.orders where order_id = 2") == "shipped"

    (cursor, last_value, rows_read, total), = query(
        "select cursor_column, last_value, rows_read, total_rows_read from ctl.watermark "
        "where source_name = 'shop' and table_name = 'orders'"
    )
    assert (cursor, rows_read, total) == ("updated_at", 3, 8)
    assert last_value.startswith("2024-01-08T09:00")
    rows = audit_rows("source_name = 'shop'")
    assert [(r[0], r[1], r[3], r[4], r[5], r[6]) for r in rows] == [
        (out["run_id"], "success", "sql", "raw_shop.orders", 5, 1),
        (out2["run_id"], "success", "sql", "raw_shop.orders", 3, 1),
    ]


def test_postgres_table_and_query_example(duckdb_warehouse, shop_db, tmp_path):
    env = {"SHOP_DATABASE_URL": shop_db["url"]}
    config = str(EXAMPLES / "postgres_table.toml")
    code, out, err = ingest("test-connection", "--config", config, env=env)
    assert code == 0, err
    assert out["status"] == "ok" and out["checks"][0]["ok"]

    for table, expected in (("customers", 3), ("big_orders", 2)):
        code, out, err = ingest("run", "--config", config, "--source", "shop", "--table", table,
                                "--lake", str(tmp_path / "lake"), env=env)
        assert code == 0, err
        assert out["rows_loaded"] == expected
        assert scalar(f"select count(*) from raw_shop.{table}") == expected
    assert scalar("select sum(amount_usd) from raw_shop.big_orders") == 450

    # the design's command-line form: --query (and --schema) for a table the file does not name
    code, out, err = ingest(
        "run", "--config", config, "--source", "shop", "--table", "boston_customers",
        "--schema", "public", "--query", "select customer_id, name from customers "
        "where city = 'Boston'", "--lake", str(tmp_path / "lake"), env=env,
    )
    assert code == 0, err
    assert out["rows_loaded"] == scalar("select count(*) from raw_shop.boston_customers") == 1
    assert query("select distinct _source from raw_shop.boston_customers") == [
        ("sql:shop.query",)]
    assert query("select distinct _source, _loaded_at is not null from raw_shop.customers") == [
        ("sql:shop.customers", True)]
    code, out, err = ingest("run", "--config", config, "--source", "shop", "--table", "x",
                            "--schema", "public; drop table customers", env=env)
    assert code == 2 and "--schema" in err


def test_unreachable_database_and_bad_credentials_fail_with_audit_row(duckdb_warehouse, pg_server):
    config = str(EXAMPLES / "postgres_table.toml")
    cases = {
        "unreachable": f"postgresql://{server_auth(pg_server)}@127.0.0.1:1/shop",
        "credentials": f"postgresql://no_such_role_x:wrong@{pg_server['host']}:"
                       f"{pg_server['port']}/postgres",
    }
    run_ids = {}
    for case, url in cases.items():
        code, out, err = ingest("run", "--config", config, "--source", "shop",
                                "--table", "customers", env={"SHOP_DATABASE_URL": url})
        assert code == 1, err
        assert out["status"] == "failure" and out["rows_loaded"] == 0 and out["parquet_files"] == []
        assert "error" in out and out["error"] in err
        run_ids[case] = out["run_id"]
    rows = {r[0]: r for r in audit_rows("status = 'failure'")}
    assert "Connection refused" in rows[run_ids["unreachable"]][7]
    assert "no_such_role_x" in rows[run_ids["credentials"]][7]
    assert not any(r[1] == "success" for r in audit_rows())

    code, out, _ = ingest("test-connection", "--config", config,
                          env={"SHOP_DATABASE_URL": cases["credentials"]})
    assert code == 1 and out["status"] == "failed" and not out["checks"][0]["ok"]


# ---- rest --------------------------------------------------------------------------------


def _api_server():
    path = EXAMPLES / "rest_api_server.py"
    spec = importlib.util.spec_from_file_location("rest_api_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def api() -> str:
    server = _api_server().serve(0, token="t0ken")
    yield f"http://127.0.0.1:{server.server_port}/api"
    server.shutdown()


def test_rest_source_two_pages_nested_objects(warehouse, api, tmp_path):
    lake = tmp_path / "lake"
    env = {"DEMO_API_URL": api, "DEMO_API_TOKEN": "t0ken"}
    config = str(EXAMPLES / "rest_api.toml")
    args = ["run", "--config", config, "--source", "demo_api", "--table", "customers",
            "--lake", str(lake)]
    code, out, err = ingest(*args, env=env)
    assert code == 0, err
    assert "page 2: 2 record(s)" in err
    assert out["rows_loaded"] == 4
    assert_lake_file(out["parquet_files"][0], lake, "rest", "demo_api", 4)
    schema = pq.read_schema(out["parquet_files"][0])
    assert pa.types.is_struct(schema.field("address").type)  # nested kept nested in the lake
    assert pa.types.is_list(schema.field("orders").type)
    assert query("select id, name, address__city from raw_demo_api.customers order by id") == [
        (1, "Ada", "Boston"), (2, "Grace", "Denver"), (3, "Alan", "Austin"), (4, "Edsger", "Omaha"),
    ]
    # nested lists become a child table, linked to the parent row
    assert query(
        "select c.id, o.order_id from raw_demo_api.customers__orders o "
        "join raw_demo_api.customers c on o._dlt_parent_id = c._dlt_id order by o.order_id"
    ) == [(1, 100), (2, 200), (2, 201), (4, 400)]
    # every raw row says where it came from and when
    assert query(
        "select distinct _source, _loaded_at is not null from raw_demo_api.customers"
    ) == [(f"rest:{api.rstrip('/')}/customers", True)]

    code, out, err = ingest(*args, env={**env, "DEMO_API_TOKEN": "stolen"})
    assert code == 1
    assert out["status"] == "failure" and "401" in out["error"]
    (row,) = audit_rows(f"run_id = '{out['run_id']}'")
    assert row[1] == "failure" and "401" in row[7]
    assert scalar("select count(*) from raw_demo_api.customers") == 4


def test_connection_checks(duckdb_warehouse, api):
    env = {"DEMO_API_URL": api, "DEMO_API_TOKEN": "t0ken"}
    code, out, err = ingest("test-connection", "--config", str(EXAMPLES / "rest_api.toml"), env=env)
    assert code == 0, err
    assert out["checks"][0]["detail"].endswith("HTTP 200 OK")
    code, out, _ = ingest("test-connection", "--config", str(EXAMPLES / "rest_api.toml"),
                          env={**env, "DEMO_API_TOKEN": "nope"})
    assert code == 1 and "401" in out["checks"][0]["detail"]
    code, out, err = ingest("test-connection", "--warehouse")
    assert code == 0, err
    assert out["checks"][0]["name"] == "warehouse" and out["checks"][0]["ok"]


# ---- files -------------------------------------------------------------------------------


def test_files_source_each_file_once_and_malformed_file(duckdb_warehouse, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "readings_1.csv").write_text("sensor,value\ns1,1.5\ns2,2.5,oops\ns3,3.5\n")
    (drop / "events_1.ndjson").write_text(
        '{"id": 1, "kind": "open", "meta": {"by": "ada"}}\nnot json\n{"id": 2, "kind": "close"}\n'
    )
    pq.write_table(pa.table({"id": [1, 2, 3], "label": ["a", "b", "c"]}), drop / "snap_1.parquet")
    (drop / "snap_2.parquet").write_bytes(b"this is not parquet")
    config = tmp_path / "drop.json"
    config.write_text(json.dumps({"sources": {"drop": {
        "protocol": "files", "base_dir": "drop",
        "tables": {"readings": {"glob": "*.csv"}, "events": {"glob": "*.ndjson"},
                   "snapshots": {"glob": "snap_*.parquet"}},
    }}}))
    lake = tmp_path / "lake"

    def run(table: str):
        return ingest("run", "--config", str(config), "--source", "drop", "--table", table,
                      "--lake", str(lake))

    code, out, err = run("readings")
    assert code == 0, err
    assert out["rows_loaded"] == 2  # the unsplittable line is kept in _rejected_lines
    assert_lake_file(out["parquet_files"][0], lake, "files", "drop", 2)
    code, out, err = run("events")
    assert code == 0, err
    assert out["rows_loaded"] == 2
    assert query("select table_name, line_number, reason from raw_drop._rejected_lines "
                 "order by table_name") == [
        ("events", 2, "not JSON: Expecting value at column 1"),
        ("readings", 3, "expected 2 fields, found 3"),
    ]
    code, out, err = run("readings")  # loaded once: nothing new
    assert code == 0 and out["rows_loaded"] == 0 and out["parquet_files"] == []
    assert scalar("select count(*) from raw_drop.readings") == 2

    code, out, err = run("snapshots")  # one good file, one malformed: the run fails
    assert code == 1
    assert "snap_2.parquet" in out["error"]
    (row,) = audit_rows(f"run_id = '{out['run_id']}'")
    assert row[1] == "failure" and row[3] == "files" and "snap_2.parquet" in row[7]
    assert scalar("select count(*) from information_schema.tables "
                  "where table_schema = 'raw_drop' and table_name = 'snapshots'") == 0


# ---- bad usage ---------------------------------------------------------------------------


def test_bad_usage_exits_2(duckdb_warehouse, tmp_path):
    config = str(EXAMPLES / "postgres_table.toml")
    code, out, err = ingest("run", "--config", config, "--source", "shop")
    assert code == 2 and out is None and "--table" in err  # argparse: nothing ran

    code, out, err = ingest("run", "--config", config, "--source", "shop",
                            "--table", "customers; drop table x")
    assert code == 2
    assert out["status"] == "failure" and "not a valid identifier" in out["error"]
    (row,) = audit_rows(f"run_id = '{out['run_id']}'")
    assert row[1] == "failure" and row[7].startswith("bad usage:")

    bad = tmp_path / "bad.toml"
    bad.write_text('[sources.shop]\nprotocol = "sql"\nurl_env = "X"\npassword = "hunter2"\n')
    code, out, err = ingest("run", "--config", str(bad), "--source", "shop", "--table", "t")
    assert code == 2 and "unknown setting(s) password" in out["error"]
    code, out, err = ingest("run", "--config", config, "--source", "shop", "--table", "customers",
                            env={"SHOP_DATABASE_URL": ""})
    assert code == 2 and "SHOP_DATABASE_URL" in out["error"]
