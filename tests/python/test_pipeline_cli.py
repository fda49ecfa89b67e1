"""dlt's own CLI works on a warehouse's pipelines: `dlt pipeline --pipelines-dir DIR NAME
info | trace` after a load names the tables it loaded (docs/ingest.md, "Operating notes")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from ingest import runner

DLT = Path(sys.executable).with_name("dlt")


def _dlt(pipelines_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "RUNTIME__DLTHUB_TELEMETRY": "false"}
    return subprocess.run(
        [str(DLT), "pipeline", "--pipelines-dir", str(pipelines_dir), *args],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )


def test_dlt_pipeline_info_and_trace_name_the_tables_of_the_last_load(duckdb_warehouse, tmp_path):
    things = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
    others = pa.table({"code": ["x", "y"]})
    runner.land_tables("clidemo", [("things", things), ("others", others)], lake=tmp_path / "lake")

    where = runner.pipelines_dir(duckdb_warehouse)
    printed = subprocess.run(
        [sys.executable, "-m", "ingest", "domains", "--pipelines-dir"],
        capture_output=True, text=True, check=True, timeout=120,
    )
    assert Path(printed.stdout.strip()) == where
    assert (where / "warehouse_clidemo" / "trace.pickle").is_file()

    info = _dlt(where, "warehouse_clidemo", "info")
    assert info.returncode == 0, info.stderr
    assert "raw_clidemo" in info.stdout
    for table in ("things", "others"):
        assert f"{table} with 1 table(s)" in info.stdout
    assert "has last run trace" in info.stdout

    trace = _dlt(where, "warehouse_clidemo", "trace")
    assert trace.returncode == 0, trace.stderr
    assert "- things: 3 row(s)" in trace.stdout
    assert "- others: 2 row(s)" in trace.stdout
    assert "LOADED and contains no failed jobs" in trace.stdout
