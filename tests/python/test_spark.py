"""The Spark target (Spark with Iceberg tables): the ACA domain lands in the Parquet lake,
builds and tests on Spark, then a second day runs incrementally; after each day every ACA
mart matches a DuckDB build of the very same input files (cross-engine checksum). The eCR
Refiner domain (TES value sets) has the same check, run when WAREHOUSE_TEST_SPARK_DOMAINS
names it (`make test-spark SPARK_DOMAINS="aca tes"`; a few minutes more).

Runs with `make test-spark` (WAREHOUSE_TEST_SPARK=1, after scripts/setup-spark.sh built the
Iceberg runtime jar); skipped otherwise. Spark runs inside this process (dbt-spark's
`session` method): its metastore and warehouse folder are fixed when the first session
starts, so every Spark test of the process shares one Spark folder.
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT, _warehouse_env, dbt, stable_slot

from ingest import config, runner
from ingest.generators import aca as generator
from ingest.generators import tes as tes_generator
from ingest.loaders import aca as loader
from ingest.loaders import tes as tes_loader
from tools import parity

pytestmark = [
    pytest.mark.spark,
    pytest.mark.build,
    pytest.mark.skipif(
        os.environ.get("WAREHOUSE_TEST_SPARK") != "1",
        reason="Spark target: run `make test-spark` (sets WAREHOUSE_TEST_SPARK=1)",
    ),
]

SCALE = 0.02
DAYS = 3
ACA_BUILD = ["build", "--select", "tag:aca+", "--exclude", "tag:pm", "tag:clinical", "tag:tes"]
TES_BUILD = ["build", "--select", "tag:tes+", "--exclude", "tag:pm", "tag:clinical", "tag:aca"]
ICEBERG_JAR = "iceberg-spark-runtime-3.5_2.12-1.10.2-jackson.jar"


@pytest.fixture(scope="session")
def spark_folder(tmp_path_factory) -> Path:
    """The Spark data folder (metastore, warehouse, lake) of this test process."""
    default = REPO_ROOT / "data" / "spark" / "jars" / ICEBERG_JAR
    jar = Path(os.environ.get("WAREHOUSE_SPARK_JARS") or default)
    if not jar.is_file():
        pytest.fail(f"{jar} not found: run scripts/setup-spark.sh (make test-spark does)")
    os.environ["WAREHOUSE_SPARK_JARS"] = str(jar)
    return tmp_path_factory.mktemp("spark")


def use_spark(folder: Path, tmp_path: Path, monkeypatch) -> config.Target:
    monkeypatch.setenv("WAREHOUSE_TARGET", "spark")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(folder))
    monkeypatch.setenv("WAREHOUSE_LAKE_DIR", str(folder / "lake"))
    monkeypatch.setenv("WAREHOUSE_DBT_TARGET_PATH", str(stable_slot("spark") / "dbt_target"))
    monkeypatch.setenv("WAREHOUSE_THREADS", "4")
    return config.target()


def land_and_build(target: config.Target, inputs: Path, use) -> runner.LoadSummary:
    use()
    summary = loader.load([inputs], target)
    dbt(*ACA_BUILD)
    return summary


def spark_rows(sql: str) -> list[tuple]:
    from ingest import spark_session

    return spark_session.fetchall(sql)


def spark_scalar(sql: str):
    return spark_rows(sql)[0][0]


def assert_same_marts(duck: config.Target, spark: config.Target, schema: str = "aca") -> None:
    compared, diffs = parity.compare(duck, spark, schemas=(schema,))
    assert len(compared) >= 10, compared
    assert not diffs, f"{schema} marts differ between DuckDB and Spark:\n" + "\n".join(
        d.describe() for d in diffs
    )


def test_aca_on_spark_matches_duckdb_and_the_second_day_is_incremental(
    spark_folder, tmp_path, monkeypatch, request
):
    inputs = tmp_path / "inputs" / "aca"
    manifest = generator.generate(inputs, SCALE, date(2025, 1, 1), DAYS, seed=11)
    duck = _warehouse_env("duckdb", tmp_path / "duckdb", monkeypatch, request)
    duck_env = {k: v for k, v in os.environ.items() if k.startswith("WAREHOUSE_")}

    def use_duck():
        monkeypatch.delenv("WAREHOUSE_LAKE_DIR", raising=False)
        for key, value in duck_env.items():
            monkeypatch.setenv(key, value)

    def use_spark_target():
        use_spark(spark_folder, tmp_path, monkeypatch)

    spark = use_spark(spark_folder, tmp_path, monkeypatch)

    # day one: the same files land on both engines; Spark lands them in the lake only
    land_and_build(duck, inputs, use_duck)
    first = land_and_build(spark, inputs, use_spark_target)
    assert len(first.files_landed) == len(list(inputs.glob("*.csv")))
    assert first.parquet_files and all(p.is_file() for p in first.parquet_files)
    assert not (spark_folder / ".dlt").exists(), "the Spark target writes no dlt destination"
    clean_lines = manifest["totals"]["claim_lines"]["rows"]
    assert spark_scalar("select count(*) from aca.fct_claim_lines") == clean_lines
    assert spark_scalar("select count(*) from ctl.rejects") == 0
    assert_same_marts(duck, spark)

    # a file lands once: the same files again land nothing
    use_spark_target()
    again = loader.load([inputs], spark)
    assert again.files_landed == [] and len(again.files_skipped) == len(first.files_landed)

    # day two: only the new files land; the fact grows by exactly that day's lines (merge)
    generator.add_day(inputs)
    day = json.loads((inputs / "manifest.json").read_text())
    new_day = day["generated_days"][-1]
    new_files = sorted(f for f in day["files"] if new_day in f)
    land_and_build(duck, inputs, use_duck)
    second = land_and_build(spark, inputs, use_spark_target)
    assert sorted(f.path.name for f in second.files_landed) == new_files
    new_lines = day["files"][f"claim_lines_{new_day}.csv"]["rows"]
    assert spark_scalar("select count(*) from aca.fct_claim_lines") == clean_lines + new_lines
    assert spark_scalar(
        f"select count(*) from aca.fct_claim_lines where source_load_id = '{second.load_id}'"
    ) == new_lines
    # the fact was merged into, not rebuilt: day two's Iceberg commit appended that day's lines
    operation, added = spark_rows(
        "select operation, summary['added-records'] from aca.fct_claim_lines.snapshots "
        "order by committed_at desc limit 1"
    )[0]
    assert (operation, int(added)) == ("append", new_lines)
    assert_same_marts(duck, spark)


@pytest.mark.skipif(
    "tes" not in os.environ.get("WAREHOUSE_TEST_SPARK_DOMAINS", "aca").split(),
    reason="eCR Refiner on Spark: set WAREHOUSE_TEST_SPARK_DOMAINS to include tes",
)
def test_ecr_refiner_on_spark_matches_duckdb(spark_folder, tmp_path, monkeypatch, request):
    inputs = tmp_path / "inputs" / "tes"
    tes_generator.generate(inputs, 0.02, seed=3, releases=2)
    duck = _warehouse_env("duckdb", tmp_path / "duckdb", monkeypatch, request)
    tes_loader.load([inputs], duck)
    dbt(*TES_BUILD)
    spark = use_spark(spark_folder, tmp_path, monkeypatch)
    landed = tes_loader.load([inputs], spark)
    assert landed.files_landed and landed.parquet_files
    dbt(*TES_BUILD)
    assert spark_scalar("select count(*) from ecr.refinement_cache") > 0
    assert_same_marts(duck, spark, "ecr")
