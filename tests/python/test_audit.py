"""The audit trail: every landing goes through the lake and leaves a `ctl` row; dbt's hooks
record every invocation and test result; the operator views answer from them.

Real DuckDB files and real PostgreSQL databases, the real runner, real dbt.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import REPO_ROOT, dbt, query, scalar

from ingest import audit, dbt_runner, runner
from ingest import warehouse as wh
from ingest.readers import FileFormatError, read_csv_text

CTL_VIEWS = ("ctl_last_run_failures", "ctl_tests_newly_failing", "ctl_source_freshness")
STATUS_TEST = "expect_column_values_to_be_in_set_stg_ctl__etl_audit_log_status__success__failure"


def _macro_columns() -> dict[str, list[tuple[str, str]]]:
    text = (REPO_ROOT / "macros" / "ctl" / "ctl_tables.sql").read_text()
    tables: dict[str, list[tuple[str, str]]] = {}
    for name, body in re.findall(r"'(\w+)': \[(.*?)\]", text, re.S):
        tables[name] = re.findall(r"\('(\w+)', '([^']+)'\)", body)
    return tables


def test_python_ddl_matches_the_dbt_hook():
    """Python and the on-run-start hook create the same ctl tables, whichever runs first."""
    python = {
        name: [tuple(" ".join(col.split()).split(" ", 1)) for col in body.split(",") if col.strip()]
        for name, body in audit.DDL.items()
    }
    assert python == _macro_columns()


def _table(n: int, prefix: str) -> pa.Table:
    names = [f"{prefix}{i}" for i in range(n)]
    return pa.table({"id": pa.array(range(n), pa.int64()), "name": names})


def test_domain_landing_writes_lake_and_audit_rows(warehouse, tmp_path):
    lake = tmp_path / "lake"
    summary = runner.land_tables(
        "auditdemo", [("things", _table(3, "t")), ("others", _table(2, "o"))], lake=lake
    )
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    names = sorted(p.name for p in summary.parquet_files)
    assert len(names) == 2
    assert re.fullmatch(r"auditdemo_others_\d{8}T\d{12}Z\.parquet", names[0])
    assert re.fullmatch(r"auditdemo_things_\d{8}T\d{12}Z\.parquet", names[1])
    assert {p.parent for p in summary.parquet_files} == {lake / "tables" / "auditdemo" / today}
    assert pq.read_table(lake / "tables" / "auditdemo" / today / names[1]).num_rows == 3
    assert scalar("select count(*) from raw_auditdemo.things") == 3

    def broken():
        yield ("things", _table(1, "x"))
        raise ValueError("the source went away")

    with pytest.raises(ValueError, match="went away"):
        runner.land_tables("auditdemo", broken(), lake=lake)
    rows = query(
        "select run_id, status, protocol, target_table, rows_loaded, parquet_files, error_message "
        "from ctl.etl_audit_log order by started_at"
    )
    assert [r[1:] for r in rows] == [
        ("success", "tables", "raw_auditdemo", 5, 2, None),
        ("failure", "tables", "raw_auditdemo", 0, 0, "ValueError: the source went away"),
    ]
    assert rows[0][0] == summary.run_id
    runs = query("select run_id, run_kind, command, status, message from ctl.etl_run "
                 "order by started_at")
    assert [r[:4] for r in runs] == [
        (summary.run_id, "ingest", "load auditdemo", "success"),
        (rows[1][0], "ingest", "load auditdemo", "failure"),
    ]
    assert "others 2, things 3" in runs[0][4]
    assert scalar("select count(*) from raw_auditdemo.things") == 3  # nothing of the failure


def test_file_landing_fails_whole_run_on_unreadable_file(duckdb_warehouse, tmp_path):
    good = tmp_path / "items_1.csv"
    good.write_text("id,name\n1,a\n2,b\n")
    bad = tmp_path / "items_2.csv"
    bad.write_text("")

    def read(path: Path):
        return read_csv_text(path, "items")

    with pytest.raises(FileFormatError, match="items_2.csv"):
        runner.land_files("filedemo", [good, bad], read, lake=tmp_path / "lake")
    bad.unlink()
    first = runner.land_files("filedemo", [good], read, lake=tmp_path / "lake")
    again = runner.land_files("filedemo", [good], read, lake=tmp_path / "lake")
    assert (first.rows_loaded, len(first.parquet_files)) == (2, 1)
    assert (again.rows_loaded, again.files_skipped) == (0, [good])
    rows = query("select status, rows_loaded, error_message from ctl.etl_audit_log "
                 "order by started_at")
    assert [r[:2] for r in rows] == [("failure", 0), ("success", 2), ("success", 0)]
    assert "items_2.csv" in rows[0][2]


def test_watermark_is_replaced_and_totals_accumulate(warehouse):
    audit.write_watermark("shop", "orders", "updated_at", "2024-01-05", 5, "run-1")
    audit.write_watermark("shop", "orders", "updated_at", "2024-01-08", 3, "run-2")
    assert query("select last_value, rows_read, total_rows_read, run_id from ctl.watermark") == [
        ("2024-01-08", 3, 8, "run-2")
    ]
    assert audit.read_watermark("shop", "orders") == ("2024-01-08", 8)
    assert audit.read_watermark("shop", "customers") == (None, 0)


@pytest.mark.build
def test_dbt_test_failure_lands_in_data_quality_result(warehouse, tmp_path):
    """A passing build, then a test that fails: both land in ctl, and the views show it."""
    select = ["--select", "path:models/staging/ctl", *CTL_VIEWS]
    dbt("build", *select)  # fresh warehouse: the on-run-start hook creates the ctl tables

    runner.land_tables("auditdemo", [("things", _table(2, "t"))], lake=tmp_path / "lake")
    with pytest.raises(RuntimeError):
        runner.land_tables("auditdemo", _failing(), lake=tmp_path / "lake")
    with wh.connect() as con:  # a row the status test must reject
        audit._execute(
            con,
            "insert into ctl.etl_audit_log (run_id, pipeline_name, source_name, protocol, "
            "target_table, status, started_at) values (?, ?, ?, ?, ?, ?, ?)",
            ("manual-1", "manual", "manual", "sql", "raw_manual.t", "bogus", datetime.now(UTC)),
        )

    result = dbt_runner.invoke(["test", "--select", "stg_ctl__etl_audit_log"])
    assert result.exception is None and not result.success

    runs = query("select run_id, command, status, message from ctl.etl_run "
                 "where run_kind = 'dbt' order by started_at")
    assert [r[1:3] for r in runs] == [
        (f"dbt build --select {' '.join(select[1:])}", "success"),
        ("dbt test --select stg_ctl__etl_audit_log", "failure"),
    ]
    assert "1 fail" in runs[1][3]
    history = query(
        "select run_id, status, failing_rows, severity, model, test_unique_id "
        f"from ctl.data_quality_result where test_name = '{STATUS_TEST}' order by checked_at"
    )
    assert [(r[0], r[1], r[2]) for r in history] == [
        (runs[0][0], "pass", 0), (runs[1][0], "fail", 1)
    ]
    assert history[1][3:5] == ("error", "model.warehouse.stg_ctl__etl_audit_log")
    assert scalar("select count(*) from ctl.data_quality_result "
                  f"where run_id = '{runs[0][0]}'") >= 10  # every test of the first build

    newly = query("select test_name, status, failing_rows, last_passed_at is not null "
                  "from ctl.ctl_tests_newly_failing")
    assert newly == [(STATUS_TEST, "fail", 1, True)]
    failures = query("select run_kind, failure_kind, failed_object, failing_rows "
                     "from ctl.ctl_last_run_failures order by run_kind, failure_kind")
    assert failures == [
        ("dbt", "dbt invocation", "dbt test --select stg_ctl__etl_audit_log", None),
        ("dbt", "test", history[1][5], 1),
        ("ingest", "ingest run", "raw_auditdemo", None),
    ]
    fresh = query("select source_table, last_status, runs, failed_runs, last_loaded_at is not null "
                  "from ctl.ctl_source_freshness where checked_by = 'ingest run' "
                  "order by source_table")
    assert ("raw_auditdemo", "failure", 2, 1, True) in fresh


def _failing():
    raise RuntimeError("upstream exploded")
    yield  # a generator

