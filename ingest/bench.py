"""`python -m ingest bench`: how long generation, landing and dbt take, next to the engine's limit.

At one scale of the ACA sample, in throwaway warehouses (nothing of yours is touched):

1. generation: seconds and rows per second per domain;
2. landing (dlt, per source table), next to the engine's own reader on the same files
   (DuckDB `read_csv` into a table; PostgreSQL `COPY` into text tables);
3. full build: `dbt build` wall time and per-node times from `run_results.json`, next to the
   same compiled SQL run directly against the engine (views as views, tables and incremental
   models as `create table ... as`, snapshots as their first-run table, tests as counts);
4. incremental: one more day generated, landed and built (every test over every row); a
   second day built as a nightly run is, the tests of the big tables on the new loads' rows
   (`WAREHOUSE_TESTS_AFTER_LOAD`, macros/tests_on_new_loads.sql); then a build with nothing new,
   the fixed cost every build pays (dbt start-up, hooks, snapshots, whole-table tests). Each
   time is given over the full run's;
5. peak memory (RSS) of landing and of building, each measured in its own child process.

The result is printed as a table and written as JSON (default `bench/results/`), with the
machine's core count and memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from ingest import config
from ingest.log import say

SOURCE_ORDER = ("rating_areas", "plans", "providers", "members", "enrollments", "claim_lines")
DEFAULT_SELECT = "tag:aca+"
# Models of other domains that read the shared calendar are not part of the ACA workload.
DEFAULT_EXCLUDE = "tag:pm tag:clinical tag:tes"
RESULTS_DIR = config.PROJECT_ROOT / "bench" / "results"
# The targets the benchmark is held to (see bench/README.md).
LANDING_MIN_SPEED = 0.9          # landing at least 0.9x the engine's own reader
BUILD_MAX_OVERHEAD = 1.3         # dbt build under 1.3x the compiled SQL run directly
INCREMENTAL_MAX_SHARE = 0.05     # a one-day incremental build under 5 % of a full build
# dbt statuses of nodes that did what they should (exposures report no-op)
OK_STATUSES = ("success", "pass", "warn", "no-op")


class BenchError(RuntimeError):
    """A benchmark stage failed; the message says which and why."""


# ---------------------------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------------------------

def machine() -> dict:
    """Cores, memory and versions of the machine the figures were measured on."""
    import duckdb

    info = {
        "cpu_count": os.cpu_count(),
        "memory_total_bytes": _meminfo_total(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
    try:
        from importlib.metadata import version

        info["dbt_core"] = version("dbt-core")
        info["dlt"] = version("dlt")
    except Exception:  # versions are informative only
        pass
    return info


def _meminfo_total() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


# ---------------------------------------------------------------------------------------------
# Child processes: one stage each, so that peak RSS belongs to that stage alone
# ---------------------------------------------------------------------------------------------

def _peak_rss_bytes() -> int:
    """Peak RSS of this process (and of any process it waited for).

    `VmHWM` belongs to the address space this process got at exec, so it is its own; the
    rusage figure would also carry the parent's peak across fork and exec.
    """
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux: kilobytes
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return max(int(line.split()[1]) * 1024, kids)
    except OSError:
        pass
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, kids)


def _stage_land(params: dict) -> dict:
    from ingest.loaders import aca as loader

    target = config.target(params["target"])
    sources = {}
    for table, files in params["files"].items():
        started = time.perf_counter()
        summary = loader.load([Path(f) for f in files], target)
        seconds = time.perf_counter() - started
        sources[table] = {
            "files": len(summary.files_landed),
            "rows": summary.rows_by_table.get(table, 0),
            "bytes": sum(f.size_bytes for f in summary.files_landed),
            "seconds": seconds,
        }
    return {"sources": sources}


def _stage_build(params: dict) -> dict:
    from ingest import dbt_runner

    started = time.perf_counter()
    result = dbt_runner.invoke(params["dbt_args"], target=params["target"])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "success": bool(result.success),
        "error": None if result.exception is None else str(result.exception),
    }


STAGES: dict[str, Callable[[dict], dict]] = {"land": _stage_land, "build": _stage_build}


def _child_main(argv: list[str]) -> int:
    stage, params_path, out_path = argv
    params = json.loads(Path(params_path).read_text())
    out = STAGES[stage](params)
    out["peak_rss_bytes"] = _peak_rss_bytes()
    Path(out_path).write_text(json.dumps(out))
    return 0


def run_stage(stage: str, params: dict, env: dict[str, str], work: Path) -> dict:
    """Run one stage in a fresh Python process with `env` added; return what it measured."""
    work.mkdir(parents=True, exist_ok=True)
    params_path = work / f"{stage}_params.json"
    out_path = work / f"{stage}_result.json"
    log_path = work / f"{stage}.log"
    params_path.write_text(json.dumps(params))
    out_path.unlink(missing_ok=True)
    child_env = {**os.environ, **env}
    started = time.perf_counter()
    with log_path.open("w") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "ingest.bench", stage, str(params_path), str(out_path)],
            cwd=str(config.PROJECT_ROOT), env=child_env, stdout=log, stderr=subprocess.STDOUT,
        )
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not out_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise BenchError(f"stage {stage} failed (exit {proc.returncode}); log {log_path}:\n{tail}")
    result = json.loads(out_path.read_text())
    result["process_seconds"] = wall
    return result


# ---------------------------------------------------------------------------------------------
# Engines: the warehouse copies and the engine's own limits
# ---------------------------------------------------------------------------------------------

class Engine:
    """A throwaway warehouse on DuckDB (a file per copy) or PostgreSQL (a database per copy)."""

    def __init__(self, kind: str, root: Path, tag: str) -> None:
        self.kind = kind
        self.root = root
        self.tag = tag
        self.created: list[str] = []

    # each copy is named by a role: "wh" (landed, then built), "raw" (landed only), ...
    def duckdb_path(self, role: str) -> Path:
        # every copy has the same file name, so that the catalog name in compiled SQL matches
        return self.root / role / "warehouse.duckdb"

    def pg_dbname(self, role: str) -> str:
        return config.safe_identifier(f"bench_{self.tag}_{role}", "database")

    def env(self, role: str) -> dict[str, str]:
        if self.kind == "dev":
            return {"WAREHOUSE_TARGET": "dev",
                    "WAREHOUSE_DUCKDB_PATH": str(self.duckdb_path(role))}
        return {"WAREHOUSE_TARGET": "pg", "WAREHOUSE_PG_DBNAME": self.pg_dbname(role)}

    def create(self, role: str, template: str | None = None) -> None:
        if self.kind == "dev":
            path = self.duckdb_path(role)
            path.parent.mkdir(parents=True, exist_ok=True)
            if template is not None:
                shutil.copyfile(self.duckdb_path(template), path)
            return
        name = self.pg_dbname(role)
        self._pg_admin(f'drop database if exists "{name}"')
        src = f' template "{self.pg_dbname(template)}"' if template else ""
        self._pg_admin(f'create database "{name}"{src}')
        self.created.append(name)

    def connect(self, role: str):
        if self.kind == "dev":
            import duckdb

            return duckdb.connect(str(self.duckdb_path(role)))
        import psycopg2

        t = config.target("pg")
        con = psycopg2.connect(host=t.pg_host, port=t.pg_port, user=t.pg_user,
                               password=t.pg_password, dbname=self.pg_dbname(role))
        con.autocommit = True
        return con

    def _pg_admin(self, sql: str) -> None:
        import psycopg2

        t = config.target("pg")
        con = psycopg2.connect(host=t.pg_host, port=t.pg_port, user=t.pg_user,
                               password=t.pg_password, dbname="postgres")
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(sql)
        finally:
            con.close()

    def drop_all(self) -> None:
        for name in self.created:
            try:
                self._pg_admin(f'drop database if exists "{name}" with (force)')
            except Exception as exc:  # cleanup must not hide the result
                say(f"warning: could not drop database {name}: {exc}")


def _execute(con, sql: str, fetch: bool = False):
    if hasattr(con, "cursor") and not hasattr(con, "sql"):  # psycopg2
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if fetch else None
    rel = con.execute(sql)
    return rel.fetchall() if fetch else None


def landing_limit(engine: Engine, files: dict[str, list[str]]) -> dict:
    """The engine's own reader on the same files: seconds per source table."""
    engine.create("limit")
    con = engine.connect("limit")
    out = {}
    try:
        for table, paths in files.items():
            started = time.perf_counter()
            if engine.kind == "dev":
                listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
                con.execute(
                    f"create table {table} as select * from read_csv([{listing}], "
                    "header = true, all_varchar = true)"
                )
                rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            else:
                rows = _pg_copy(con, table, paths)
            out[table] = {"rows": rows, "seconds": time.perf_counter() - started}
    finally:
        con.close()
    return out


def _pg_copy(con, table: str, paths: list[str]) -> int:
    from ingest.readers import _header

    columns = _header(Path(paths[0]), ",")
    cols = ", ".join(f'"{c}" text' for c in columns)
    rows = 0
    with con.cursor() as cur:
        cur.execute(f"create table {table} ({cols})")
        for p in paths:
            with open(p, "rb") as fh:
                cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", fh)
            rows += cur.rowcount
    return rows


# ---------------------------------------------------------------------------------------------
# dbt artifacts and the same SQL run directly
# ---------------------------------------------------------------------------------------------

def read_artifacts(target_path: Path) -> tuple[dict, dict]:
    manifest = json.loads((target_path / "manifest.json").read_text())
    results = json.loads((target_path / "run_results.json").read_text())
    return manifest, results


def node_times(manifest: dict, results: dict) -> dict:
    """Per-node seconds from run_results, grouped by kind, slowest first."""
    nodes = manifest["nodes"]
    by_kind: dict[str, dict] = {}
    for r in results["results"]:
        uid = r["unique_id"]
        kind = nodes.get(uid, {}).get("resource_type", uid.split(".")[0])
        group = by_kind.setdefault(kind, {"count": 0, "seconds": 0.0, "failed": 0, "nodes": {}})
        group["count"] += 1
        group["seconds"] += r.get("execution_time") or 0.0
        if r.get("status") not in OK_STATUSES:
            group["failed"] += 1
        if kind in ("model", "snapshot", "seed"):
            group["nodes"][nodes.get(uid, {}).get("name", uid)] = round(r["execution_time"], 3)
    for group in by_kind.values():
        group["seconds"] = round(group["seconds"], 3)
        group["nodes"] = dict(sorted(group["nodes"].items(), key=lambda kv: -kv[1]))
        if not group["nodes"]:
            del group["nodes"]
    return by_kind


def _topological(manifest: dict, wanted: list[str]) -> list[str]:
    nodes = manifest["nodes"]
    wanted_set = set(wanted)
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen:
            return
        seen.add(uid)
        for dep in nodes.get(uid, {}).get("depends_on", {}).get("nodes", []):
            if dep in wanted_set:
                visit(dep)
        order.append(uid)

    for uid in wanted:
        visit(uid)
    return order


def _snapshot_sql(node: dict, kind: str) -> str:
    """The table a snapshot's first run creates: its select plus dbt's SCD2 columns."""
    key = node["config"]["unique_key"]
    keys = key if isinstance(key, list) else [key]
    now = "cast(current_timestamp as timestamp)"
    text = "varchar" if kind == "dev" else "text"
    parts = " || '|' || ".join(f"coalesce(cast({k} as {text}), '')" for k in keys)
    return (
        f"select snapshot_query.*, md5({parts} || '|' || cast({now} as {text})) as dbt_scd_id, "
        f"{now} as dbt_updated_at, {now} as dbt_valid_from, "
        f"cast(null as timestamp) as dbt_valid_to from ({node['compiled_code']}) snapshot_query"
    )


def _copy_seed(src, dst, source: str, relation: str, schema: str, name: str, kind: str
               ) -> None:
    columns = _execute(
        src,
        "select column_name, data_type from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position",
        fetch=True,
    )
    rows = _execute(src, f"select * from {source}", fetch=True)
    ddl = ", ".join(f'"{c}" {t}' for c, t in columns)
    _execute(dst, f"create table {relation} ({ddl})")
    if rows:
        marks = ", ".join(["%s" if kind == "pg" else "?"] * len(columns))
        if kind == "pg":
            with dst.cursor() as cur:
                cur.executemany(f"insert into {relation} values ({marks})", rows)
        else:
            dst.executemany(f"insert into {relation} values ({marks})", rows)


def direct_sql(engine: Engine, manifest: dict, results: dict) -> dict:
    """Run the build's compiled SQL straight against a fresh copy of the raw data."""
    nodes = manifest["nodes"]
    ran = [r["unique_id"] for r in results["results"] if r["unique_id"] in nodes]
    order = _topological(manifest, ran)
    engine.create("direct", template="raw")
    con = engine.connect("direct")
    built = engine.connect("wh")
    rename = _pg_rename(engine) if engine.kind == "pg" else (lambda s: s)
    seconds: dict[str, float] = {"hooks": 0.0, "seed": 0.0, "model": 0.0, "snapshot": 0.0,
                                 "test": 0.0}
    per_node: dict[str, float] = {}
    started_all = time.perf_counter()
    try:
        started = time.perf_counter()
        for hook in _on_run_start_hooks(manifest):
            if hook.strip():
                _execute(con, rename(hook))
        seconds["hooks"] += time.perf_counter() - started
        schemas: set[tuple[str, str]] = set()
        for uid in order:
            node = nodes[uid]
            kind = node["resource_type"]
            started = time.perf_counter()
            if kind in ("seed", "model", "snapshot"):
                if node["config"].get("materialized") == "ephemeral":
                    continue
                if (node["database"], node["schema"]) not in schemas:
                    schemas.add((node["database"], node["schema"]))
                    _execute(con, rename(f'create schema if not exists "{node["schema"]}"'
                                         if engine.kind == "pg" else
                                         f'create schema if not exists "{node["database"]}".'
                                         f'"{node["schema"]}"'))
                relation = rename(node["relation_name"])
                if kind == "seed":
                    _copy_seed(built, con, node["relation_name"], relation, node["schema"],
                               node["alias"], engine.kind)
                elif kind == "snapshot":
                    _execute(con, f"create table {relation} as "
                                  f"{rename(_snapshot_sql(node, engine.kind))}")
                elif node["config"].get("materialized") == "view":
                    _execute(con, f"create view {relation} as {rename(node['compiled_code'])}")
                else:
                    _execute(con, f"create table {relation} as {rename(node['compiled_code'])}")
                if engine.kind == "pg" and node["config"].get("materialized") != "view":
                    # as dbt's post-hook does: PostgreSQL plans the next model from statistics
                    _execute(con, f"analyze {relation}")
            elif kind == "test":
                _execute(con, f"select count(*) from ({rename(node['compiled_code'])}) t",
                         fetch=True)
            else:
                continue
            took = time.perf_counter() - started
            seconds[kind] += took
            if kind in ("model", "snapshot"):
                per_node[node["name"]] = round(took, 3)
        total = time.perf_counter() - started_all
        differ = _compare_counts(built, con, [nodes[u] for u in order], rename)
    finally:
        con.close()
        built.close()
    return {
        "seconds": total,
        "row_counts_differ": differ,
        "seconds_by_kind": {k: round(v, 3) for k, v in seconds.items()},
        "nodes": dict(sorted(per_node.items(), key=lambda kv: -kv[1])),
    }


def _compare_counts(built, direct, nodes: list[dict], rename: Callable[[str], str]) -> dict:
    """Rows per table built by dbt and by the direct run; only the tables that differ."""
    differ = {}
    for node in nodes:
        if node["resource_type"] not in ("model", "snapshot") or node["config"].get(
                "materialized") in ("ephemeral", "view"):
            continue
        relation = node["relation_name"]
        by_dbt = _execute(built, f"select count(*) from {relation}", fetch=True)[0][0]
        by_sql = _execute(direct, f"select count(*) from {rename(relation)}", fetch=True)[0][0]
        if by_dbt != by_sql:
            differ[node["name"]] = {"dbt": by_dbt, "direct": by_sql}
    return differ


def _on_run_start_hooks(manifest: dict) -> list[str]:
    hooks = [n for n in manifest["nodes"].values()
             if n.get("resource_type") == "operation" and "on-run-start" in n.get("tags", [])]
    hooks.sort(key=lambda n: n.get("index") or 0)
    return [h.get("compiled_code") or "" for h in hooks]


def _pg_rename(engine: Engine) -> Callable[[str], str]:
    """Compiled SQL names the database it was built in; point it at the direct copy."""
    old, new = f'"{engine.pg_dbname("wh")}".', f'"{engine.pg_dbname("direct")}".'
    return lambda sql: sql.replace(old, new)


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


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


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


def _landing_doc(land: dict, limit: dict) -> dict:
    sources = {}
    for table, s in land["sources"].items():
        lim = limit.get(table, {})
        sources[table] = {
            "files": s["files"], "rows": s["rows"], "bytes": s["bytes"],
            "seconds": round(s["seconds"], 3),
            "rows_per_second": round(s["rows_per_second"] or 0),
            "engine_seconds": round(lim.get("seconds", 0), 3),
            "engine_rows": lim.get("rows"),
            "ratio_landing_over_engine": _ratio(s["seconds"], lim.get("seconds")),
        }
    engine_total = sum(v["seconds"] for v in limit.values())
    return {
        "seconds": round(land["seconds"], 3), "rows": land["rows"],
        "rows_per_second": round(land["rows"] / land["seconds"]) if land["seconds"] else None,
        "engine_seconds": round(engine_total, 3),
        "ratio_landing_over_engine": _ratio(land["seconds"], engine_total),
        "speed_vs_engine": _ratio(engine_total, land["seconds"]),
        "peak_rss_bytes": land["peak_rss_bytes"],
        "sources": sources,
    }


def evaluate(doc: dict) -> list[dict]:
    speed = doc["landing"]["speed_vs_engine"]
    overhead = doc["build"]["ratio_dbt_over_direct"]
    inc = doc["incremental"]
    # the nightly run as documented (tests of the big tables on new loads); older results
    # measured only the build with every test
    share = inc.get("tests_on_new_loads", inc["build"])["ratio_to_full"]
    return [
        {"target": "landing speed vs the engine's reader", "want": f">= {LANDING_MIN_SPEED}",
         "measured": speed, "met": speed is not None and speed >= LANDING_MIN_SPEED},
        {"target": "dbt build time vs compiled SQL run directly",
         "want": f"< {BUILD_MAX_OVERHEAD}", "measured": overhead,
         "met": overhead is not None and overhead < BUILD_MAX_OVERHEAD},
        {"target": "one-day incremental build vs full build",
         "want": f"< {INCREMENTAL_MAX_SHARE}", "measured": share,
         "met": share is not None and share < INCREMENTAL_MAX_SHARE},
    ]


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------

def _mb(n: int | None) -> str:
    return "-" if not n else f"{n / 2**20:,.0f} MB"


def render(doc: dict) -> str:
    m, p = doc["machine"], doc["parameters"]
    mem = m.get("memory_total_bytes")
    lines = [
        f"warehouse benchmark: ACA at scale {p['scale']:g} ({p['days']} days), target "
        f"{p['target']}, {m['cpu_count']} cores, "
        f"{(mem or 0) / 2**30:.0f} GB memory, {doc['measured_at']}, load average "
        f"{m.get('load_average_1m', '-')} at start, {m.get('load_average_1m_at_end', '-')} at end",
        "",
        f"{'stage':<34}{'rows':>12}{'seconds':>10}{'rows/s':>12}{'limit s':>10}{'ratio':>8}",
    ]

    def row(name, rows, secs, limit=None, ratio=None):
        rate = f"{rows / secs:,.0f}" if rows and secs else "-"
        lines.append(
            f"{name:<34}{(f'{rows:,}' if rows else '-'):>12}{secs:>10.2f}{rate:>12}"
            f"{(f'{limit:.2f}' if limit is not None else '-'):>10}"
            f"{(f'{ratio:.2f}' if ratio is not None else '-'):>8}"
        )

    for domain, g in doc["generation"].items():
        row(f"generate {domain}", g["rows"], g["seconds"])
    land = doc["landing"]
    for table, s in land["sources"].items():
        row(f"land {table}", s["rows"], s["seconds"], s["engine_seconds"],
            s["ratio_landing_over_engine"])
    row("land, all sources", land["rows"], land["seconds"], land["engine_seconds"],
        land["ratio_landing_over_engine"])
    b = doc["build"]
    row("dbt build (full)", None, b["dbt_seconds"], b["direct"]["seconds"],
        b["ratio_dbt_over_direct"])
    inc = doc["incremental"]
    row("land one more day", inc["landing"]["rows"], inc["landing"]["seconds"], None,
        inc["landing"]["ratio_to_full"])
    row("dbt build (one-day incremental)", None, inc["build"]["dbt_seconds"], None,
        inc["build"]["ratio_to_full"])
    if "tests_on_new_loads" in inc:  # absent from results written before it was measured
        new = inc["tests_on_new_loads"]
        row("land a second day", new["landing"]["rows"], new["landing"]["seconds"])
        row("dbt build (same, tests on new)", None, new["dbt_seconds"], None,
            new["ratio_to_full"])
        row("dbt build (nothing new)", None, inc["nothing_new"]["dbt_seconds"], None,
            inc["nothing_new"]["ratio_to_full"])
    lines += [
        "",
        "ratio: landing and full build over the engine's limit; incremental over the full run",
        f"peak RSS: land {_mb(land['peak_rss_bytes'])}, build {_mb(b['peak_rss_bytes'])}, "
        f"incremental land {_mb(inc['landing']['peak_rss_bytes'])}, "
        f"incremental build {_mb(inc['build']['peak_rss_bytes'])}",
        "",
        "slowest models (dbt s / direct s): " + ", ".join(
            f"{name} {secs:.2f}/{b['direct']['nodes'].get(name, 0):.2f}"
            for name, secs in list(_model_times(b).items())[:6]
        ),
    ]
    kinds = b["nodes_by_kind"]
    lines.append("dbt node time by kind: " + ", ".join(
        f"{k} {v['count']} in {v['seconds']:.2f}s" for k, v in kinds.items()))
    lines.append("")
    for t in doc["targets"]:
        lines.append(f"{'MET ' if t['met'] else 'MISS'}  {t['target']}: {t['measured']} "
                     f"(want {t['want']})")
    return "\n".join(lines)


def _model_times(build: dict) -> dict[str, float]:
    times: dict[str, float] = {}
    for kind in ("model", "snapshot"):
        times.update(build["nodes_by_kind"].get(kind, {}).get("nodes", {}))
    return dict(sorted(times.items(), key=lambda kv: -kv[1]))


def default_out(doc: dict) -> Path:
    p = doc["parameters"]
    stamp = doc["measured_at"].replace(":", "").replace("-", "")[:15]
    return RESULTS_DIR / f"{p['target']}_scale{p['scale']:g}_{stamp}.json"


# ---------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scale", type=float, default=1.0,
                        help="ACA sample scale (1 = about 500,000 claim lines a year)")
    parser.add_argument("--days", type=int, default=365, help="days of data (default 365)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--target", choices=("dev", "pg"), default="dev",
                        help="dev (DuckDB, default) or pg (PostgreSQL)")
    parser.add_argument("--select", default=DEFAULT_SELECT,
                        help=f"dbt selection to build (default {DEFAULT_SELECT})")
    parser.add_argument("--exclude", default=DEFAULT_EXCLUDE,
                        help=f"dbt exclusion (default {DEFAULT_EXCLUDE!r})")
    parser.add_argument("--out", type=Path, default=None, help=(
        "JSON result file (default bench/results/<target>_scale<N>_<time>.json)"),
                        metavar="FILE.json")
    parser.add_argument("--work-dir", type=Path, default=None,
                        help="where the throwaway folder goes (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway folder")
    parser.add_argument("--nights", type=int, default=0, metavar="N", help=(
        "instead: N nights of `day aca`, `simulate pm`, `nightly --domains aca pm` on DuckDB "
        "at --scale (ACA; PM at ten times it, at least 0.05), checking the last night within "
        "1.5x the first incremental one (ingest.bench_nights)"))


def _run_nights(args: argparse.Namespace) -> int:
    from ingest import bench_nights

    try:
        doc = bench_nights.run_nights(args.nights, args.scale, min(max(args.scale * 10, 0.05), 1.0),
                                      args.work_dir, args.keep,
                                      log=lambda msg: say(f"bench: {msg}", flush=True))
    except bench_nights.NightsError as exc:
        say(f"error: {exc}")
        return 1
    out = args.out or RESULTS_DIR / f"nights{args.nights}_{doc['measured_at'][:19]}.json".replace(
        ":", "")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(bench_nights.render(doc))
    print(f"\nwritten to {out}")
    return 0 if doc["target"]["met"] else 1


def run(args: argparse.Namespace) -> int:
    if args.nights:
        return _run_nights(args)
    try:
        doc = run_bench(args.scale, args.target, args.days, args.seed, args.select,
                        args.exclude, args.work_dir, args.keep,
                        log=lambda msg: say(f"bench: {msg}", flush=True))
    except BenchError as exc:
        say(f"error: {exc}")
        return 1
    out = args.out or default_out(doc)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(render(doc))
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
