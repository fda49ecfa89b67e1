"""The one line of a run that failed on a full disk or a lost PostgreSQL server
(ingest.failures), and dlt's job failures logged in one line (ingest.runner)."""

from __future__ import annotations

import errno
import logging
from types import SimpleNamespace

import psycopg2

from ingest import config, failures, runner  # noqa: F401  (runner installs the dlt filter)

PG = config.Target("pg", pg_host="db.example", pg_port=5433, pg_user="u", pg_dbname="wh")
DUCK = config.Target("dev", duckdb_path=config.PROJECT_ROOT / "data" / "x.duckdb")


def test_enospc_anywhere_in_the_chain_names_the_file_and_the_step(tmp_path):
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "f.parquet"))
        except OSError as exc:
            raise RuntimeError("Pipeline execution failed at step=extract") from exc
    except RuntimeError as exc:
        with failures.step("landing raw_aca"):
            line = failures.explain(exc, DUCK)
    assert line.startswith("no space left on ") and "while landing raw_aca" in line
    assert f"(writing {tmp_path / 'f.parquet'})" in line
    assert "\n" not in line


def test_duckdb_could_not_write_is_a_full_disk():
    exc = RuntimeError('Failed to commit: Could not write file "x.wal": No space left on device')
    assert failures.explain(exc, DUCK).startswith("no space left on ")


def test_a_lost_server_names_host_port_and_database():
    exc = psycopg2.OperationalError("server closed the connection unexpectedly\n\tThis probably")
    line = failures.explain(exc, PG)
    assert line.startswith("lost PostgreSQL db.example:5433/wh (target pg) while ")
    assert line.endswith("[server closed the connection unexpectedly]")
    # on DuckDB there is no server to lose; other errors are left to describe_error
    assert failures.explain(exc, DUCK) is None
    assert failures.explain(ValueError("bad value"), PG) is None


def test_a_dbt_run_names_the_first_node_that_failed_so():
    def node(name, status, message):
        return SimpleNamespace(node=SimpleNamespace(name=name), status=status, message=message)

    result = SimpleNamespace(exception=None, result=SimpleNamespace(results=[
        node("stg_a", "success", ""),
        node("fct_b", "error", "Database Error in model fct_b\n  terminating connection due to "
                               "administrator command"),
        node("dim_c", "error", "connection to server failed: Connection refused"),
    ]))
    line = failures.explain_dbt(result, PG)
    assert "while running dbt build at fct_b" in line
    assert "[terminating connection due to administrator command]" in line
    assert failures.explain_dbt(SimpleNamespace(exception=None, result=None), PG) is None


def test_dlt_job_failures_are_logged_in_one_line():
    logger = logging.getLogger("dlt")
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger.addHandler(handler)
    try:
        logger.warning("Job retried with message Traceback (most recent call last):\n  File x\n"
                       "psycopg2.OperationalError: connection refused\n\tIs the server running")
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            logger.exception("worker died")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == [
        "Job retried with message psycopg2.OperationalError: connection refused",
        "worker died: ValueError: boom second line",
    ]
    assert all(r.exc_info is None for r in records)
