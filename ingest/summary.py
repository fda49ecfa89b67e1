"""`python -m ingest summary`: what the last build produced, for a person at a terminal."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

from ingest import config, domains, warehouse


def test_results() -> Counter:
    target_path = os.environ.get("WAREHOUSE_DBT_TARGET_PATH") or str(config.PROJECT_ROOT / "target")
    path = Path(target_path) / "run_results.json"
    counts: Counter = Counter()
    if not path.exists():
        return counts
    for result in json.loads(path.read_text())["results"]:
        if result["unique_id"].startswith(("test.", "unit_test.")):
            counts[result["status"]] += 1
    return counts


def run(_args=None) -> int:
    target = config.target()
    print(f"\nWarehouse: {target.describe()}")
    with warehouse.connect(target, read_only=target.is_duckdb) as con:
        for schema in [*domains.mart_schemas(), "ctl"]:
            rels = warehouse.relations(con, schema)
            if not rels:
                continue
            print(f"\n  schema {schema}")
            for name, kind in rels:
                (n,) = warehouse.fetchall(con, f'select count(*) from {schema}."{name}"')[0]
                print(f"    {name:<40} {kind:<5} {n:>12,} rows")
        rejects = []
        if any(name == "rejects" for name, _ in warehouse.relations(con, "ctl")):
            rejects = warehouse.fetchall(
                con,
                "select domain, source_table, reject_reason, count(*) from ctl.rejects "
                "group by 1, 2, 3 order by 1, 2, 4 desc",
            )
    tests = test_results()
    print(
        "\n  tests (last dbt run): "
        + (", ".join(f"{k} {v}" for k, v in sorted(tests.items())) or "none recorded")
    )
    total = sum(r[3] for r in rejects)
    print(f"\n  rows rejected: {total:,}" + (" (see ctl.rejects)" if total else ""))
    for domain, table, reason, n in rejects:
        print(f"    {domain}.{table:<24} {reason:<48} {n:>8,}")
    print(
        "\n  docs: `make docs` serves the dbt docs site on http://localhost:8080;"
        " `make docs-static` writes one file, target/static_index.html"
        "\n  dashboards: `make dashboards` serves one page per dashboard on"
        " http://localhost:8501\n"
    )
    return 0
