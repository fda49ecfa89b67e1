"""Benchmarks: the committed results of `python -m ingest bench` (bench/results/*.json)."""

import json

import pandas as pd
import streamlit as st
from common import ROOT, count, header, headlines, related

RESULTS = ROOT / "bench" / "results"


def runs() -> pd.DataFrame:
    """One row per result file: scale, target, seconds per stage, ratios to the limits."""
    rows = []
    for path in sorted(RESULTS.glob("*.json")):
        result = json.loads(path.read_text())
        parameters = result.get("parameters") or {}
        landing, build = result.get("landing") or {}, result.get("build") or {}
        incremental = result.get("incremental") or {}
        rows.append({
            "file": path.name,
            "measured_at": result.get("measured_at"),
            "target": parameters.get("target"),
            "scale": parameters.get("scale"),
            "landing_seconds": landing.get("seconds"),
            "landing_vs_engine_reader": landing.get("speed_vs_engine"),
            "build_seconds": build.get("dbt_seconds"),
            "build_vs_direct_sql": build.get("ratio_dbt_over_direct"),
            "one_day_build_seconds": (incremental.get("build") or {}).get("dbt_seconds"),
        })
    return pd.DataFrame(rows)


header(
    "Benchmarks",
    "bench/results",
    "Seconds per stage against scale, and each stage next to the engine's own limit "
    "(`python -m ingest bench`; bench/README.md says how each figure is measured).",
)
table = runs()
if table.empty:
    st.info("No benchmark results in bench/results/: run `make bench`.")
else:
    headlines(
        ("Benchmark runs", count(len(table))),
        ("Largest scale", f"{table.scale.max():g}"),
    )
    st.subheader("Seconds per stage against scale")
    long = table.melt(
        id_vars=["target", "scale"],
        value_vars=["landing_seconds", "build_seconds", "one_day_build_seconds"],
        var_name="stage", value_name="seconds",
    ).dropna()
    long["series"] = long.target + " · " + long.stage.str.replace("_seconds", "")
    st.scatter_chart(long, x="scale", y="seconds", color="series")
    st.subheader("Against the engine's limit")
    st.caption("Landing: speed as a share of the engine's own reader (1.0 = as fast). "
               "Build: dbt's time over the compiled SQL run directly (1.0 = no overhead).")
    ratios = table.melt(
        id_vars=["target", "scale"],
        value_vars=["landing_vs_engine_reader", "build_vs_direct_sql"],
        var_name="ratio", value_name="value",
    ).dropna()
    st.scatter_chart(ratios, x="scale", y="value", color="ratio")
    st.subheader("Every run")
    st.dataframe(table, hide_index=True, width="stretch")
related(("warehouse_operations_dashboard", "Warehouse operations"),)
