"""`python -m ingest nightly` for a domain that has never landed anything stops with one line
saying so, before dbt would fail on its missing raw tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_nightly_names_a_domain_that_never_landed(tmp_path):
    (tmp_path / "data" / "sample" / "tes").mkdir(parents=True)  # its loader finds no file
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "nightly", "--domains", "tes"], cwd=REPO_ROOT,
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "WAREHOUSE_TARGET": "ci",
             "WAREHOUSE_CI_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
             "WAREHOUSE_DATA_DIR": str(tmp_path / "data")},
    )
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: nothing has ever landed for tes (raw schema raw_tes)"), last
    assert "relation" not in done.stderr.lower() and "Traceback" not in done.stderr
