"""The documented switch that range-partitions aca.fct_claim_lines by service month on
PostgreSQL: the first build converts the table, an incremental day inserts into it."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import dbt, query, scalar

from ingest.generators import aca as generator
from ingest.loaders import aca as loader
from ingest.sources import aca

pytestmark = pytest.mark.build

PARTITIONED = ["--vars", "{partition_claim_lines: true}"]


@pytest.mark.postgres
def test_claim_lines_partitioned_by_service_month(pg_warehouse):
    out = aca.default_dir()
    manifest = generator.generate(out, 0.02, date(2025, 1, 1), 3, seed=6)
    loader.load([out])
    dbt("build", "--selector", "aca", *PARTITIONED)
    assert scalar(
        "select relkind from pg_class where oid = 'aca.fct_claim_lines'::regclass"
    ) == "p"
    lines = manifest["totals"]["claim_lines"]["rows"]
    assert scalar("select count(*) from aca.fct_claim_lines") == lines
    # rows sit in the partition of their month, none in the default partition
    wrong = query(
        "select count(*) from aca.fct_claim_lines "
        "where tableoid::regclass::text"
        " <> 'aca.fct_claim_lines_' || to_char(service_date, 'YYYYMM')"
    )
    assert wrong == [(0,)]
    indexes = scalar(
        "select count(*) from pg_indexes where schemaname = 'aca' and tablename = 'fct_claim_lines'"
    )
    assert indexes >= 5

    generator.add_day(out)
    loader.load([out])
    dbt("build", "--selector", "aca", *PARTITIONED)
    day = generator.read_manifest(out)
    assert scalar("select relkind from pg_class where oid = 'aca.fct_claim_lines'::regclass") == "p"
    assert scalar("select count(*) from aca.fct_claim_lines") == day["totals"]["claim_lines"][
        "rows"
    ]
