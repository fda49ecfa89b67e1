"""The data diff of pull-request review (scripts/pr_data_diff.py, run by Recce) on two real
builds that differ by a known change.

The project is copied (the files git would commit) and the ACA domain's sample is built in
it on DuckDB: that is main's build, kept as the slim-CI job keeps it (`manifest.json` and
the warehouse file in one folder). Then the copy changes as a pull request would: a filter
in `mart_plan_pmpm` drops the bronze plans' rows, and `agg_plan_performance` renames its
`claim_count` column. The pull request's build is the slim one (`state:modified+` on a copy of
main's warehouse, deferred to main's manifest); the comparison then runs exactly as the
workflow runs it, and its Markdown must name both changes, with the counts the warehouse
files themselves give.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO_ROOT, copy_project

if importlib.util.find_spec("recce") is None:
    pytest.skip(
        "recce is not installed: the `review` dependency group (`uv sync --group review`; "
        "`make test` installs it)",
        allow_module_level=True,
    )

pytestmark = pytest.mark.build

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
MART = "models/marts/aca/mart_plan_pmpm.sql"
AGG = "models/marts/aca/agg_plan_performance.sql"
MODELS_YML = "models/marts/aca/_aca__models.yml"


def _replace_once(path: Path, old: str, new: str, after: str = "") -> None:
    text = path.read_text()
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):])


def _change_like_a_pull_request(project: Path) -> None:
    """A filter that drops rows (bronze plans) and a renamed column (contract included)."""
    _replace_once(
        project / MART,
        "left join plans\n    on enrolled.plan_id = plans.plan_id\n",
        "left join plans\n    on enrolled.plan_id = plans.plan_id\n"
        "where coalesce(plans.metal_tier, 'unknown') != 'bronze'\n",
    )
    _replace_once(project / AGG, "    with_prior_year.claim_count,\n",
                  "    with_prior_year.claim_count as daily_claim_count,\n")
    _replace_once(project / MODELS_YML, "      - name: claim_count\n",
                  "      - name: daily_claim_count\n", after="  - name: agg_plan_performance\n")


def _run(project: Path, env: dict, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, *args], cwd=project, capture_output=True, text=True, timeout=600,
        env={**env, "PYTHONPATH": str(project)},
    )
    assert done.returncode == 0, (
        f"{' '.join(args)} exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done.stdout


def _scalar(path: Path, sql: str):
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def test_the_data_diff_names_the_dropped_rows_and_the_renamed_column(tmp_path):
    project = tmp_path / "project"
    copy_project(project)
    prod, ci = tmp_path / "prod", tmp_path / "ci"
    prod.mkdir()
    env = {
        **os.environ,
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
        "WAREHOUSE_THREADS": "2",
    }

    # main's build: the ACA sample, landed and built (models only: this test compares data)
    main_env = {**env, "WAREHOUSE_CI_DUCKDB_PATH": str(prod / "warehouse.duckdb"),
                "WAREHOUSE_DBT_TARGET_PATH": str(tmp_path / "main-target")}
    _run(project, main_env, "-c", (
        "from ingest import config; from ingest.generators import aca; "
        "from ingest.loaders import aca as loader; "
        "aca.sample(0.02, 7, 42); loader.load_sample(config.target())"
    ))
    _run(project, main_env, "-m", "ingest", "build", "--", "build", "--selector", "aca",
         "--exclude-resource-type", "test", "unit_test")
    shutil.copy2(tmp_path / "main-target" / "manifest.json", prod / "manifest.json")

    # the pull request: the change, then the slim build on a copy of main's warehouse
    _change_like_a_pull_request(project)
    ci.mkdir()
    shutil.copy2(prod / "warehouse.duckdb", ci / "warehouse.duckdb")
    pr_env = {**env, "WAREHOUSE_CI_DUCKDB_PATH": str(ci / "warehouse.duckdb"),
              "WAREHOUSE_DBT_TARGET_PATH": str(ci / "target")}
    _run(project, pr_env, "-m", "ingest", "build", "--", "build", "--select",
         "state:modified+", "--defer", "--state", str(prod),
         "--exclude-resource-type", "test", "unit_test")

    # the comparison, as the workflow runs it
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("earlier steps\n")
    out = ci / "data-diff"
    _run(project, pr_env, "scripts/pr_data_diff.py", "--base", str(prod), "--out", str(out),
         "--step-summary", str(step_summary))
    markdown = (out / "data-diff.md").read_text()
    assert step_summary.read_text() == "earlier steps\n" + markdown

    # the filter: the mart, its row counts before and after, the rows only main has
    rows = _scalar(prod / "warehouse.duckdb", "select count(*) from aca.mart_plan_pmpm")
    bronze = _scalar(prod / "warehouse.duckdb",
                     "select count(*) from aca.mart_plan_pmpm where metal_tier = 'bronze'")
    assert 0 < bronze < rows
    assert _scalar(ci / "warehouse.duckdb", "select count(*) from aca.mart_plan_pmpm") == (
        rows - bronze
    )
    row = next(line for line in markdown.splitlines() if line.startswith("| `mart_plan_pmpm` |"))
    assert f"| {rows:,} | {rows - bronze:,} | -{bronze:,} rows" in row, row
    assert f"{bronze:,} only in base" in row, row

    # the rename: the column removed and the one added, in the table and the details
    row = next(line for line in markdown.splitlines()
               if line.startswith("| `agg_plan_performance` |"))
    assert "removed `claim_count`; added `daily_claim_count`" in row, row
    assert "- removed column `claim_count`" in markdown
    assert "- added column `daily_claim_count`" in markdown

    # only what the change touches is compared; Recce's own summary and state file come along
    overview = markdown.split("\n### ", 1)[0]
    compared = [line.split("`")[1] for line in overview.splitlines() if line.startswith("| `")]
    assert compared == ["agg_plan_performance", "mart_plan_pmpm"], compared
    assert "## Recce summary" in markdown and "```mermaid" in markdown
    state = json.loads((out / "recce_state.json").read_text())
    counts = next(run["result"] for run in state["runs"] if run["type"] == "row_count_diff")
    assert counts["mart_plan_pmpm"]["base"] == rows
    assert counts["mart_plan_pmpm"]["curr"] == rows - bronze

    # the base copies made for the comparison are gone from the pull request's warehouse
    assert _scalar(ci / "warehouse.duckdb", (
        "select count(*) from duckdb_schemas() where schema_name like 'review_base_%'"
    )) == 0
