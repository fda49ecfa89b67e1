"""Landing on the Spark target, without Spark: the Parquet lake is the raw layer.

A load writes each table's lake file, then the per-file bookkeeping, then the file that marks
the load complete; a file lands once; a load that never completed lands again. (The Spark
build itself is tested in test_spark.py, with `make test-spark`.)
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow.parquet as pq
import pytest

from ingest import config, runner, spark_landing, warehouse
from ingest.generators import aca as generator
from ingest.loaders import aca as loader


@pytest.fixture
def spark_target(tmp_path, monkeypatch) -> config.Target:
    monkeypatch.setenv("WAREHOUSE_TARGET", "spark")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("WAREHOUSE_LAKE_DIR", raising=False)
    return config.target()


def lake_files(table: str) -> list:
    return sorted((config.lake_dir() / "files" / "aca").glob(f"*/aca_{table}_*.parquet"))


def test_load_id_matches_the_stamp_of_the_lake_file():
    now = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    assert spark_landing.load_id(now) == f"{int(now.timestamp())}.123456"
    name = f"aca_claim_lines_{now.strftime('%Y%m%dT%H%M%S%fZ')}.parquet"
    assert spark_landing.load_id_of_file(config.PROJECT_ROOT / name) == spark_landing.load_id(now)
    assert spark_landing.load_id_of_file(config.PROJECT_ROOT / "notes.parquet") is None


def test_files_land_once_in_the_lake_and_an_unfinished_load_lands_again(spark_target, tmp_path):
    inputs = tmp_path / "inputs"
    generator.generate(inputs, 0.01, date(2025, 1, 1), 2, seed=4)
    csv_files = sorted(inputs.glob("*.csv"))

    first = loader.load([inputs], spark_target)
    assert len(first.files_landed) == len(csv_files)
    assert not (config.data_dir() / ".dlt").exists(), "no dlt destination on Spark"
    for table in ("members", "plans", "providers", "enrollments", "claim_lines", "rating_areas"):
        (path,) = lake_files(table)
        assert spark_landing.load_id_of_file(path) == first.load_id
    (landed,) = lake_files("_landed_files")
    assert pq.read_table(landed).num_rows == len(csv_files)
    (marker,) = lake_files("_dlt_loads")
    assert pq.read_table(marker).column("load_id").to_pylist() == [first.load_id]
    audit_rows = list((config.lake_dir() / "ctl" / "etl_audit_log").glob("*.parquet"))
    assert len(audit_rows) == 1
    assert pq.read_table(audit_rows[0]).column("status").to_pylist() == ["success"]

    again = loader.load([inputs], spark_target)
    assert again.files_landed == [] and len(again.files_skipped) == len(csv_files)

    # a load that died before its completion file: its files count as not landed
    marker.unlink()
    retry = loader.load([inputs], spark_target)
    assert len(retry.files_landed) == len(csv_files)
    assert retry.load_id != first.load_id


def test_loads_that_need_a_dlt_destination_say_so_on_spark(spark_target):
    with pytest.raises(config.ConfigError, match="no dlt destination"):
        runner.pipeline("pm", spark_target)
    with (
        pytest.raises(config.ConfigError, match="no Python connection"),
        warehouse.connect(spark_target),
    ):
        pass


def test_an_empty_table_lands_as_an_empty_file_so_its_raw_table_exists(spark_target, tmp_path):
    from ingest.generators import tes as tes_generator
    from ingest.loaders import tes as tes_loader

    inputs = tmp_path / "tes"
    tes_generator.generate(inputs, 0.02, seed=3, releases=1)
    tes_loader.load([inputs], spark_target)
    (rejected,) = sorted((config.lake_dir() / "files" / "tes").glob("*/tes__rejected_lines_*"))
    table = pq.read_table(rejected)
    assert table.num_rows == 0 and "reason" in table.column_names
