"""Cross-engine parity: from the same generated inputs, every mart table on DuckDB and on
PostgreSQL has the same rows (order-independent checksum, normalized numbers and times).
A difference fails the test and names the table and a differing key."""

from __future__ import annotations

import pytest
from conftest import _warehouse_env, dbt

from ingest import demo, domains, warehouse
from tools import parity

pytestmark = pytest.mark.build


@pytest.mark.postgres
def test_every_mart_is_identical_on_duckdb_and_postgres(tmp_path, monkeypatch, request):
    inputs = tmp_path / "inputs"
    targets = {}
    for engine in ("duckdb", "pg"):
        target = _warehouse_env(engine, tmp_path / engine, monkeypatch, request)
        # both engines land the very same files
        monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(inputs))
        demo.prepare(scale=0.02, days=4, seed=21)
        demo.land(target)
        dbt("build")
        targets[engine] = target
    compared, diffs = parity.compare(targets["duckdb"], targets["pg"])
    assert len(compared) >= 10, compared
    # the marts built with GROUPING SETS and ratios, among every other
    assert {"aca.mart_claims_cube", "aca.mart_medical_loss_ratio"} <= set(compared), compared
    assert not diffs, "marts differ between DuckDB and PostgreSQL:\n" + "\n".join(
        d.describe() for d in diffs
    )

    # on PostgreSQL every fact and bridge table has indexes on its keys and dates
    schemas = ", ".join(f"'{schema}'" for schema in domains.mart_schemas())
    with warehouse.connect(targets["pg"]) as con:
        indexed = warehouse.fetchall(con, f"""
            select tables.table_schema || '.' || tables.table_name, count(indexes.indexname)
            from information_schema.tables as tables
            left join pg_indexes as indexes
                on indexes.schemaname = tables.table_schema
                and indexes.tablename = tables.table_name
            where tables.table_schema in ({schemas})
                and tables.table_type = 'BASE TABLE'
                and (tables.table_name like 'fct\\_%' or tables.table_name like 'brg\\_%')
            group by tables.table_schema, tables.table_name
        """)
    assert len(indexed) >= 8, indexed
    assert not [name for name, n in indexed if n < 2], indexed
