"""The benchmark at a tiny scale: every stage runs for real and reports positive figures.

No timing is asserted (machines differ); the shape of the result and its sanity are.
"""

from __future__ import annotations

import json

import pytest

from tools import bench
from tools.bench.stages import SOURCE_ORDER

pytestmark = pytest.mark.build


def _positive(value) -> bool:
    return isinstance(value, int | float) and value > 0


def test_bench_reports_every_stage_with_positive_figures(tmp_path):
    doc = bench.run_bench(scale=0.01, target="dev", days=3, seed=7, work_dir=tmp_path,
                          log=lambda _msg: None)

    machine = doc["machine"]
    assert _positive(machine["cpu_count"]) and _positive(machine["memory_total_bytes"])

    gen = doc["generation"]["aca"]
    assert _positive(gen["seconds"]) and _positive(gen["rows"]) and _positive(gen["bytes"])

    land = doc["landing"]
    assert set(land["sources"]) == set(SOURCE_ORDER)
    for table, source in land["sources"].items():
        assert _positive(source["rows"]), table
        # the engine's own reader saw exactly the rows dlt landed
        assert source["engine_rows"] == source["rows"], table
        assert _positive(source["seconds"]) and _positive(source["engine_seconds"]), table
        assert _positive(source["ratio_landing_over_engine"]), table
    assert _positive(land["peak_rss_bytes"])

    build = doc["build"]
    assert _positive(build["dbt_seconds"]) and _positive(build["direct"]["seconds"])
    assert _positive(build["ratio_dbt_over_direct"]) and _positive(build["peak_rss_bytes"])
    models = build["nodes_by_kind"]["model"]
    assert models["failed"] == 0 and "fct_claim_lines" in models["nodes"]
    assert build["nodes_by_kind"]["test"]["count"] > 0
    # the direct run built the same models from the compiled SQL
    assert "fct_claim_lines" in build["direct"]["nodes"]
    assert build["direct"]["row_counts_differ"] == {}

    inc = doc["incremental"]
    assert inc["files"] > 0 and _positive(inc["landing"]["rows"])
    assert _positive(inc["build"]["dbt_seconds"]) and _positive(inc["build"]["ratio_to_full"])
    assert _positive(inc["build"]["peak_rss_bytes"])
    new = inc["tests_on_new_loads"]
    assert _positive(new["landing"]["rows"]) and _positive(new["dbt_seconds"])
    assert new["nodes_by_kind"]["test"]["failed"] == 0
    assert _positive(inc["nothing_new"]["dbt_seconds"])
    assert inc["nothing_new"]["nodes_by_kind"]["model"]["failed"] == 0

    assert [t["target"] for t in doc["targets"]] == [
        "landing speed vs the engine's reader",
        "dbt build time vs compiled SQL run directly",
        "one-day incremental build vs full build",
    ]
    assert all(isinstance(t["met"], bool) for t in doc["targets"])

    json.dumps(doc)  # serialisable as written to bench/results/
    table = bench.render(doc)
    assert "land claim_lines" in table and "dbt build (full)" in table
    # the throwaway folder is gone
    assert not any(tmp_path.iterdir())
