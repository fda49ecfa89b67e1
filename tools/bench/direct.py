"""The same compiled SQL dbt ran, run directly against the engine: the limit a build is
compared with, node by node.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from tools.bench.engine import Engine, _execute
from tools.bench.stages import OK_STATUSES

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
