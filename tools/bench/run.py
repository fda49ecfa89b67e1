"""`run_bench`: generation, landing, the full build, incremental builds and peak memory at
one scale, in throwaway warehouses.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ingest import config
from tools.bench.direct import direct_sql, node_times, read_artifacts
from tools.bench.engine import Engine, _execute, landing_limit
from tools.bench.report import _landing_doc, _ratio, evaluate
from tools.bench.stages import (
    DEFAULT_EXCLUDE,
    DEFAULT_SELECT,
    OK_STATUSES,
    SOURCE_ORDER,
    BenchError,
    machine,
    run_stage,
)

# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def _files_by_source(sample: Path, names: list[str] | None = None) -> dict[str, list[str]]:
    from ingest.sources import aca

    files: dict[str, list[str]] = {t: [] for t in SOURCE_ORDER}
    for f in sorted(sample.glob("*.csv")):
        if names is not None and f.name not in names:
            continue
        table = aca.table_for(f)
        if table:
            files[table].append(str(f))
    return {t: fs for t, fs in files.items() if fs}


def _land(engine: Engine, files: dict, work: Path, name: str) -> dict:
    env = {**engine.env("wh"), "WAREHOUSE_DATA_DIR": str(work / "data"),
           "WAREHOUSE_LAKE_DIR": str(work / "data" / "lake")}
    result = run_stage("land", {"target": engine.kind, "files": files}, env, work / name)
    for s in result["sources"].values():
        s["rows_per_second"] = s["rows"] / s["seconds"] if s["seconds"] > 0 else None
    result["seconds"] = sum(s["seconds"] for s in result["sources"].values())
    result["rows"] = sum(s["rows"] for s in result["sources"].values())
    return result


def _dbt_env(engine: Engine, work: Path) -> dict[str, str]:
    # one target folder for every dbt run of a benchmark: after the first (cold) parse, dbt
    # parses partially, as a nightly run in a kept project folder does
    return {**engine.env("wh"), "WAREHOUSE_DATA_DIR": str(work / "data"),
            "WAREHOUSE_DBT_TARGET_PATH": str(work / "target"),
            "WAREHOUSE_TESTS_AFTER_LOAD": "",  # every test over every row unless a stage says
            "DBT_LOG_PATH": str(work / "logs")}


def _parse(engine: Engine, work: Path) -> dict:
    result = run_stage("build", {"target": engine.kind, "dbt_args": ["parse"]},
                       _dbt_env(engine, work), work / "parse")
    if not result["success"]:
        raise BenchError(f"dbt parse failed: {result.get('error') or 'see ' + str(work)}")
    return result


def _build(engine: Engine, work: Path, name: str, select: str, exclude: str,
           env: dict[str, str] | None = None) -> tuple[dict, dict, dict]:
    args = ["build", "--select", *select.split(), "--exclude-resource-type", "unit_test"]
    if exclude:
        args += ["--exclude", *exclude.split()]
    result = run_stage("build", {"target": engine.kind, "dbt_args": args},
                       {**_dbt_env(engine, work), **(env or {})}, work / name)
    for artifact in ("manifest.json", "run_results.json"):
        shutil.copyfile(work / "target" / artifact, work / name / artifact)
    manifest, results = read_artifacts(work / name)
    result["nodes_by_kind"] = node_times(manifest, results)
    if not result["success"]:
        failed = [r["unique_id"] for r in results["results"]
                  if r.get("status") not in OK_STATUSES]
        result["failed_nodes"] = failed[:20]
    return result, manifest, results


def _newest_completed_load(engine: Engine) -> str:
    """The newest completed ACA load: the loads landed after it are the new ones."""
    con = engine.connect("wh")
    try:
        rows = _execute(con, "select max(load_id) from raw_aca._dlt_loads where status = 0",
                        fetch=True)
    finally:
        con.close()
    if not rows or rows[0][0] is None:
        raise BenchError("no completed ACA load to measure new loads against")
    return str(rows[0][0])




def run_bench(scale: float, target: str = "dev", days: int = 365, seed: int = 42,
              select: str = DEFAULT_SELECT, exclude: str = DEFAULT_EXCLUDE,
              work_dir: Path | None = None, keep: bool = False,
              log: Callable[[str], None] = print) -> dict:
    """Run every stage; return the result document (also what `--out` writes)."""
    from ingest.generators import aca as generator

    if target not in ("dev", "pg"):
        raise config.ConfigError(f"--target {target!r}: expected dev or pg")
    work = Path(tempfile.mkdtemp(prefix="warehouse_bench_", dir=work_dir))
    engine = Engine(target, work / "engine", f"{os.getpid()}_{int(time.time())}")
    doc: dict = {
        "benchmark": "warehouse", "format_version": 1,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "parameters": {"scale": scale, "days": days, "seed": seed, "target": target,
                       "select": select, "exclude": exclude, "domain": "aca",
                       "unit_tests": "excluded (fixture checks, independent of scale)",
                       "threads": config.env("WAREHOUSE_THREADS", "4"),
                       "duckdb_memory_limit": config.env("WAREHOUSE_DUCKDB_MEMORY_LIMIT",
                                                         "8GB" if target == "dev" else "")},
    }
    try:
        sample = work / "sample" / "aca"
        log(f"generating the ACA sample at scale {scale:g}, {days} days in {sample}")
        started = time.perf_counter()
        manifest = generator.generate(sample, scale, date(2025, 1, 1), days, seed)
        gen_seconds = time.perf_counter() - started
        rows = sum(t["rows"] for t in manifest["totals"].values())
        doc["generation"] = {"aca": {
            "seconds": round(gen_seconds, 3), "rows": rows,
            "claim_lines": manifest["totals"]["claim_lines"]["rows"],
            "rows_per_second": round(rows / gen_seconds),
            "bytes": sum(p.stat().st_size for p in sample.glob("*.csv")),
        }}

        files = _files_by_source(sample)
        engine.create("wh")
        log("landing (dlt), one load per source table")
        land = _land(engine, files, work, "land_full")
        log("landing limit: the engine's own reader on the same files")
        limit = landing_limit(engine, files)
        doc["landing"] = _landing_doc(land, limit)

        engine.create("raw", template="wh")
        log("dbt parse (cold, full parse)")
        parse = _parse(engine, work)
        log("full build: dbt build")
        build, dbt_manifest, dbt_results = _build(engine, work, "build_full", select, exclude)
        if not build["success"]:
            raise BenchError(f"dbt build failed: {build.get('error') or ''} "
                             f"{build.get('failed_nodes', [])}")
        log("full build limit: the same compiled SQL run directly")
        direct = direct_sql(engine, dbt_manifest, dbt_results)
        doc["build"] = {
            "dbt_seconds": round(build["seconds"], 3),
            "dbt_cold_parse_seconds": round(parse["seconds"], 3),
            "dbt_process_seconds": round(build["process_seconds"], 3),
            "peak_rss_bytes": build["peak_rss_bytes"],
            "nodes_by_kind": build["nodes_by_kind"],
            "direct": direct,
            "ratio_dbt_over_direct": _ratio(build["seconds"], direct["seconds"]),
        }

        log("incremental: one more day, landed and built")
        started = time.perf_counter()
        before = set(p.name for p in sample.glob("*.csv"))
        generator.add_day(sample)
        day_seconds = time.perf_counter() - started
        new = sorted(set(p.name for p in sample.glob("*.csv")) - before)
        land_day = _land(engine, _files_by_source(sample, new), work, "land_day")
        build_day, _, _ = _build(engine, work, "build_day", select, exclude)
        if not build_day["success"]:
            raise BenchError(f"incremental dbt build failed: {build_day.get('failed_nodes')}")
        log("incremental, a second day: tests of the big tables on the new loads' rows only")
        after = _newest_completed_load(engine)
        before = set(p.name for p in sample.glob("*.csv"))
        generator.add_day(sample)
        new2 = sorted(set(p.name for p in sample.glob("*.csv")) - before)
        land_day2 = _land(engine, _files_by_source(sample, new2), work, "land_day2")
        build_new, _, _ = _build(engine, work, "build_day_new_loads", select, exclude,
                                 env={"WAREHOUSE_TESTS_AFTER_LOAD": after})
        if not build_new["success"]:
            raise BenchError(f"incremental dbt build failed: {build_new.get('failed_nodes')}")
        log("incremental with nothing new: the fixed cost of a build")
        build_idle, _, _ = _build(engine, work, "build_nothing_new", select, exclude)
        if not build_idle["success"]:
            raise BenchError(f"dbt build with nothing new failed: {build_idle.get('failed_nodes')}")
        doc["incremental"] = {
            "generation_seconds": round(day_seconds, 3),
            "files": len(new),
            "landing": {"seconds": round(land_day["seconds"], 3), "rows": land_day["rows"],
                        "peak_rss_bytes": land_day["peak_rss_bytes"],
                        "ratio_to_full": _ratio(land_day["seconds"], land["seconds"])},
            "build": {"dbt_seconds": round(build_day["seconds"], 3),
                      "peak_rss_bytes": build_day["peak_rss_bytes"],
                      "nodes_by_kind": build_day["nodes_by_kind"],
                      "ratio_to_full": _ratio(build_day["seconds"], build["seconds"])},
            "tests_on_new_loads": {
                "landing": {"seconds": round(land_day2["seconds"], 3), "rows": land_day2["rows"]},
                "tests_after_load": after,
                "dbt_seconds": round(build_new["seconds"], 3),
                "nodes_by_kind": build_new["nodes_by_kind"],
                "ratio_to_full": _ratio(build_new["seconds"], build["seconds"])},
            "nothing_new": {"dbt_seconds": round(build_idle["seconds"], 3),
                            "nodes_by_kind": build_idle["nodes_by_kind"],
                            "ratio_to_full": _ratio(build_idle["seconds"], build["seconds"])},
        }
        doc["targets"] = evaluate(doc)
        doc["machine"]["load_average_1m_at_end"] = round(os.getloadavg()[0], 2)
    finally:
        engine.drop_all()
        if keep:
            log(f"kept the working folder {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return doc
