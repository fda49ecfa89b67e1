"""Data diffs for pull-request review: what a change does to the marts it touches.

    python scripts/pr_data_diff.py --base prod --out ci/data-diff [--step-summary FILE]

Compares the current build (WAREHOUSE_TARGET, a DuckDB target, with the dbt artifacts of
its build in WAREHOUSE_DBT_TARGET_PATH) with a base build: `--base` is a folder holding the
base's `manifest.json` and its DuckDB file, as the slim-CI job keeps main's build
(`production-artifacts`). Compared are every modified mart and its children: dbt's
`state:modified+` against the base manifest, within models/marts.

Recce (the `review` dependency group) runs the comparisons: row counts, schema, column
profiles, a value diff on each mart's primary key and a sample of the rows that differ. Its
state file (`recce_state.json`, open it with `recce server --review recce_state.json`) and
the Markdown written from it (`data-diff.md`) land in `--out`; `--step-summary` appends the
Markdown to a file such as $GITHUB_STEP_SUMMARY.

What this script does around Recce, and why:
- Base and current in one connection. Recce queries both through one dbt connection, but a
  DuckDB file's views name the catalog they were built in (`warehouse`), so main's file
  cannot be attached next to the PR's under another name. The compared base relations are
  copied, read through main's own file, into `review_base_<schema>` schemas of the PR's
  file, and the base manifest handed to Recce points those models there. The copies are
  dropped when Recce is done.
- Catalogs. Recce reads column lists from dbt's `catalog.json`; main's build keeps none, and
  the base relations now live under other schemas, so both catalogs are written from
  DuckDB's own column list (`duckdb_columns()`, the query dbt-duckdb's catalog runs).
- Markdown. `recce summary` shows the lineage graph and which checks found differences, not
  the numbers: the report here is written from Recce's state file (row counts, columns
  removed, added and retyped, profile changes, value matches, sample rows), followed by
  Recce's own summary.
- Offline. Recce checks PyPI for a newer version on import and sends usage events; neither is
  needed: it runs with tracking off in a profile of its own and with its HTTP(S) traffic sent
  to a closed local port.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

import yaml  # noqa: E402

from ingest import config, dbt_runner  # noqa: E402

SELECT = "state:modified+,path:models/marts"
BASE_SCHEMA_PREFIX = "review_base_"
SAMPLE_ROWS = 5
# Recce's network traffic (version check, usage events, error reports) goes nowhere.
CLOSED_PORT = "http://127.0.0.1:9"


class DiffError(RuntimeError):
    """The comparison cannot run; the message says why."""


# --- what to compare ----------------------------------------------------------------------


def selected_models(base_dir: Path, select: str = SELECT) -> list[str]:
    """unique_ids of the modified marts and their children (dbt's own state comparison)."""
    result = dbt_runner.invoke([
        "ls", "--select", select, "--state", str(base_dir), "--resource-type", "model",
        "--output", "json", "--output-keys", "unique_id", "--log-level", "none",
    ])
    if not result.success:
        raise DiffError(f"dbt ls --select {select} failed: {result.exception}")
    return sorted(json.loads(line)["unique_id"] for line in result.result or [])


def removed_marts(base: dict, current: dict) -> list[str]:
    """Marts of the base that the current build no longer has."""
    return sorted(
        uid for uid, node in base["nodes"].items()
        if node["resource_type"] == "model" and uid not in current["nodes"]
        and node["original_file_path"].startswith("models/marts/")
    )


def primary_key(node: dict) -> str | list[str] | None:
    """The model's key: dbt's inferred primary key (constraints, unique + not_null tests,
    compound uniqueness); where it lists several single-column keys, the surrogate key."""
    key = list(node.get("primary_key") or [])
    if not key:
        unique_key = node.get("config", {}).get("unique_key")
        key = [unique_key] if isinstance(unique_key, str) else list(unique_key or [])
    surrogate = [column for column in key if column.endswith("_sk")]
    if len(key) > 1 and len(surrogate) == 1:
        key = surrogate
    if not key:
        return None
    return key[0] if len(key) == 1 else key


# --- base and current in one warehouse file --------------------------------------------------


def _quote(*parts: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def base_file(base_dir: Path, database: str) -> Path:
    """The base's DuckDB file: `<database>.duckdb`, else the only DuckDB file there."""
    path = base_dir / f"{database}.duckdb"
    found = sorted(base_dir.glob("*.duckdb"))
    if path.is_file():
        return path
    if len(found) == 1:
        return found[0]
    raise DiffError(f"no single DuckDB file in {base_dir} (found: {[p.name for p in found]})")


def copy_base_relations(base_path: Path, current_path: Path, nodes: list[dict]) -> set[str]:
    """Copy each base relation into `review_base_<schema>` of the current file; returns the
    unique_ids copied (a model the base never built is left out). The base file is attached
    under the catalog name its views were built in, so that they read the base."""
    import duckdb

    con = duckdb.connect()
    copied = set()
    try:
        database = nodes[0]["database"]
        con.execute(f"attach '{base_path}' as {_quote(database)} (read_only)")
        con.execute(f"attach '{current_path}' as review_current")
        present = set(con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ? "
            "union all select schema_name, view_name from duckdb_views() where database_name = ?",
            [database, database],
        ).fetchall())
        for node in nodes:
            if (node["schema"], node["alias"]) not in present:
                continue
            schema = BASE_SCHEMA_PREFIX + node["schema"]
            con.execute(f"create schema if not exists {_quote('review_current', schema)}")
            con.execute(
                f"create or replace table {_quote('review_current', schema, node['alias'])} as "
                f"select * from {_quote(database, node['schema'], node['alias'])}"
            )
            copied.add(node["unique_id"])
    finally:
        con.close()
    return copied


def drop_base_copies(current_path: Path, schemas: set[str]) -> None:
    import duckdb

    con = duckdb.connect(str(current_path))
    try:
        for schema in sorted(schemas):
            con.execute(f"drop schema if exists {_quote(schema)} cascade")
    finally:
        con.close()


def write_catalog(current_path: Path, nodes: dict[str, dict], path: Path) -> None:
    """A dbt catalog (v1) of `nodes` from DuckDB's column list, as dbt-duckdb builds it."""
    import dbt.version
    import duckdb

    con = duckdb.connect(str(current_path), read_only=True)
    try:
        relations = con.execute(
            "select schema_name, table_name, 'BASE TABLE' from duckdb_tables() "
            "union all select schema_name, view_name, 'VIEW' from duckdb_views() where not internal"
        ).fetchall()
        columns = con.execute(
            "select schema_name, table_name, column_name, column_index, data_type "
            "from duckdb_columns() order by schema_name, table_name, column_index"
        ).fetchall()
    finally:
        con.close()
    kinds = {(schema, name): kind for schema, name, kind in relations}
    by_relation: dict[tuple[str, str], dict] = {}
    for schema, table, column, index, data_type in columns:
        by_relation.setdefault((schema, table), {})[column] = {
            "type": data_type, "index": index, "name": column, "comment": None,
        }
    catalog_nodes = {}
    for uid, node in nodes.items():
        key = (node["schema"], node["alias"])
        if key not in kinds:
            continue
        catalog_nodes[uid] = {
            "metadata": {
                "type": kinds[key], "schema": node["schema"], "name": node["alias"],
                "database": node["database"], "comment": None, "owner": None,
            },
            "columns": by_relation.get(key, {}),
            "stats": {},
            "unique_id": uid,
        }
    path.write_text(json.dumps({
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/catalog/v1.json",
            "dbt_version": dbt.version.__version__,
            "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "invocation_id": None,
            "env": {},
        },
        "nodes": catalog_nodes,
        "sources": {},
        "errors": None,
    }, indent=1))


# --- Recce -----------------------------------------------------------------------------------


def recce_checks(models: list[dict], base_ids: set[str]) -> list[dict]:
    """Recce's preset checks: row counts and schema of every compared model, then per model
    a column profile, a value diff on its primary key and a sample of the differing rows."""
    ids = [node["unique_id"] for node in models]
    checks = [
        {"name": "Row counts", "type": "row_count_diff", "params": {"node_ids": ids},
         "description": "Rows in the base and the current build."},
        {"name": "Schema", "type": "schema_diff", "params": {"node_id": ids},
         "description": "Columns removed, added or retyped."},
    ]
    for node in models:
        if node["unique_id"] not in base_ids:
            continue  # a new model: nothing to compare it with
        name = node["name"]
        checks.append({"name": f"Profile of {name}", "type": "profile_diff",
                       "params": {"model": name},
                       "description": "Per column: nulls, distinct values, min, max, mean."})
        key = primary_key(node)
        if key is None:
            continue
        checks.append({"name": f"Values of {name}", "type": "value_diff",
                       "params": {"model": name, "primary_key": key},
                       "description": "Rows matched on the primary key, column by column."})
        checks.append({"name": f"Differing rows of {name}", "type": "value_diff_detail",
                       "params": {"model": name, "primary_key": key},
                       "description": "A sample of the rows that differ."})
    return checks


def recce_env(home: Path) -> dict[str, str]:
    """Recce's environment: its own profile with tracking off, no traffic off the machine."""
    (home / ".recce").mkdir(parents=True, exist_ok=True)
    (home / ".recce" / "profile.yml").write_text(
        f"user_id: {uuid.uuid4().hex}\nanonymous_tracking: false\n"
    )
    env = dict(os.environ)
    env.update({
        "HOME": str(home),
        "RECCE_DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
        "HTTP_PROXY": CLOSED_PORT, "HTTPS_PROXY": CLOSED_PORT, "ALL_PROXY": CLOSED_PORT,
        "http_proxy": CLOSED_PORT, "https_proxy": CLOSED_PORT, "all_proxy": CLOSED_PORT,
        "NO_PROXY": "", "no_proxy": "",
    })
    return env


def run_recce(work: Path, out: Path, target: str) -> Path:
    recce = Path(sys.executable).with_name("recce")
    if not recce.exists():
        raise DiffError("recce is not installed: `uv sync --group review` (pyproject.toml)")
    state = out / "recce_state.json"
    command = [
        str(recce), "run",
        "--project-dir", str(PROJECT_ROOT), "--profiles-dir", str(PROJECT_ROOT),
        "--target", target,
        "--target-path", str(work / "current"), "--target-base-path", str(work / "base"),
        "--config", str(work / "recce.yml"),
        "--output", str(state), "--summary", str(work / "recce_summary.md"),
    ]
    done = subprocess.run(command, cwd=work, env=recce_env(work / "home"),
                          capture_output=True, text=True)
    (work / "recce_run.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0 or not state.exists():
        raise DiffError(f"recce run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return state


# --- the report ------------------------------------------------------------------------------


def _cell(value) -> str:
    """A value as a Markdown table cell: numbers shortened, pipes escaped."""
    if value is None:
        return "∅"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    if "." in text:
        try:
            return f"{float(text):.4g}"
        except ValueError:
            pass
    return text.replace("|", "\\|").replace("\n", " ")


def _frame_rows(frame: dict | None) -> list[dict]:
    """Recce's DataFrame (columns + rows) as dicts."""
    if not frame:
        return []
    names = [column.get("key") or column.get("name") for column in frame.get("columns", [])]
    return [dict(zip(names, row, strict=False)) for row in frame.get("data", [])]


def _runs(state: dict) -> dict[tuple[str, str], dict]:
    """The newest run of each (type, model)."""
    runs = {}
    for run in state.get("runs", []):
        params = run.get("params") or {}
        runs[(run["type"], params.get("model", ""))] = run
    return runs


def _schema_changes(base_columns: dict, current_columns: dict) -> tuple[list, list, list]:
    removed = [name for name in base_columns if name not in current_columns]
    added = [name for name in current_columns if name not in base_columns]
    retyped = [
        (name, base_columns[name]["type"], current_columns[name]["type"])
        for name in base_columns
        if name in current_columns and base_columns[name]["type"] != current_columns[name]["type"]
    ]
    return removed, added, retyped


# Recce's sample of differing rows marks where each row is
SIDES = {"in_a": "in base", "in_b": "in PR"}
PROFILE_STATS = ("not_null_proportion", "distinct_count", "min", "max", "avg", "median")


def render(state: dict, models: list[dict], base_nodes: dict, removed: list[str],
           recce_summary: str, base_label: str) -> str:
    runs = _runs(state)
    catalogs = state.get("artifacts", {})
    base_catalog = (catalogs.get("base") or {}).get("catalog") or {}
    curr_catalog = (catalogs.get("current") or {}).get("catalog") or {}
    row_counts = (runs.get(("row_count_diff", "")) or {}).get("result") or {}

    lines = ["# Data diff", ""]
    if not models and not removed:
        lines += [f"No mart is modified, nor downstream of a change, against {base_label}.", ""]
        return "\n".join(lines)
    lines += [
        f"What this pull request does to the data: every modified mart and its children, "
        f"this build against {base_label}. Row counts, schema, column profiles and a value "
        f"diff on the primary key, run by Recce (state file in the `data-diff` artifact).",
        "",
        "| model | rows (base) | rows (PR) | change | schema | values |",
        "|---|---:|---:|---|---|---|",
    ]
    details = []
    for node in models:
        uid, name = node["unique_id"], node["name"]
        counts = row_counts.get(name, {})
        base_rows, curr_rows = counts.get("base"), counts.get("curr")
        if uid not in base_nodes:
            change = "not in base"
        elif base_rows is None or curr_rows is None:
            change = "not counted"
        elif base_rows == curr_rows:
            change = "same"
        else:
            delta = curr_rows - base_rows
            pct = f" ({delta / base_rows:+.1%})" if base_rows else ""
            change = f"{delta:+,} rows{pct}"
        base_cols = (base_catalog.get("nodes", {}).get(uid) or {}).get("columns", {})
        curr_cols = (curr_catalog.get("nodes", {}).get(uid) or {}).get("columns", {})
        removed_cols, added_cols, retyped = _schema_changes(base_cols, curr_cols)
        schema_parts = []
        if removed_cols:
            schema_parts.append("removed " + ", ".join(f"`{c}`" for c in removed_cols))
        if added_cols:
            schema_parts.append("added " + ", ".join(f"`{c}`" for c in added_cols))
        if retyped:
            schema_parts.append("retyped " + ", ".join(f"`{c}` {a} → {b}" for c, a, b in retyped))
        if uid not in base_nodes:
            schema_parts = [f"{len(curr_cols)} columns"]
        values = _value_summary(runs.get(("value_diff", name))) if uid in base_nodes else ""
        lines.append(
            f"| `{name}` | {_cell(base_rows)} | {_cell(curr_rows)} | {change} | "
            f"{'; '.join(schema_parts) or 'same'} | {values} |"
        )
        details += _details(name, removed_cols, added_cols, retyped, runs)
    for uid in removed:
        lines.append(f"| `{base_nodes[uid]['name']}` | | | removed model | | |")
    lines += ["", *details]
    if recce_summary.strip():
        body = recce_summary.replace("# Recce Summary", "", 1).strip()
        body = body.replace("\n## ", "\n### ")
        if body.startswith("## "):
            body = "#" + body
        lines += ["", "## Recce summary", "",
                  "_Recce's graph states a change in rows as a share of the pull request's "
                  "rows; the table above, as a share of the base's._", "", body, ""]
    return "\n".join(lines).rstrip() + "\n"


def _value_summary(run: dict | None) -> str:
    if run is None:
        return "no primary key"
    if run.get("error"):
        return "not compared (see below)"
    result = run.get("result") or {}
    summary = result.get("summary") or {}
    total, added, removed = (summary.get(k, 0) for k in ("total", "added", "removed"))
    changed = [row for row in _value_columns(result) if row["match"] < 1]
    parts = [f"{total - added - removed:,} matched on the key"]
    if removed:
        parts.append(f"{removed:,} only in base")
    if added:
        parts.append(f"{added:,} only in PR")
    if changed:
        parts.append(f"{len(changed)} column(s) differ")
    return "; ".join(parts)


def _value_columns(result: dict) -> list[dict]:
    """Per compared column: its name, the rows whose values match, and their share."""
    rows = []
    for row in _frame_rows(result.get("data")):
        rows.append({
            "column": row.get("column"),
            "matched": int(float(row.get("matched") or 0)),
            "match": float(row.get("matched_p") or 0),
        })
    return rows


def _details(name: str, removed_cols: list, added_cols: list, retyped: list,
             runs: dict) -> list[str]:
    out: list[str] = []
    if removed_cols or added_cols or retyped:
        out += ["", "Schema:", ""]
        out += [f"- removed column `{c}`" for c in removed_cols]
        out += [f"- added column `{c}`" for c in added_cols]
        out += [f"- `{c}`: {a} → {b}" for c, a, b in retyped]
    profile = runs.get(("profile_diff", name))
    if profile and not profile.get("error"):
        result = profile.get("result") or {}
        base = {row["column_name"]: row for row in _frame_rows(result.get("base"))}
        curr = {row["column_name"]: row for row in _frame_rows(result.get("current"))}
        changed = []
        for column in [c for c in base if c in curr]:
            for stat in PROFILE_STATS:
                before, after = base[column].get(stat), curr[column].get(stat)
                if before != after:
                    changed.append(f"| `{column}` | {stat} | {_cell(before)} | {_cell(after)} |")
        if changed:
            out += ["", "Column profiles that changed:", "",
                    "| column | statistic | base | PR |", "|---|---|---:|---:|", *changed]
    value = runs.get(("value_diff", name))
    if value and value.get("error"):
        out += ["", f"Value diff not run: {_cell(value['error'])[:300]}"]
    elif value:
        differing = [row for row in _value_columns(value.get("result") or {}) if row["match"] < 1]
        if differing:
            out += ["", "Values on the primary key, columns that differ:", "",
                    "| column | rows matching | share |", "|---|---:|---:|"]
            out += [f"| `{row['column']}` | {_cell(row['matched'])} | {row['match']:.1%} |"
                    for row in differing]
    detail = runs.get(("value_diff_detail", name))
    sample = _frame_rows((detail or {}).get("result")) if detail and not detail.get("error") else []
    if sample:
        columns = list(sample[0])
        headers = [SIDES.get(column, column) for column in columns]
        out += ["", f"Sample of differing rows (first {min(SAMPLE_ROWS, len(sample))} of "
                f"{len(sample)}{'+' if len(sample) >= 1000 else ''}):", "",
                "| " + " | ".join(headers) + " |", "|" + "---|" * len(columns)]
        out += ["| " + " | ".join(_cell(row[c]) for c in columns) + " |"
                for row in sample[:SAMPLE_ROWS]]
    if out:
        out = ["", f"### `{name}`", *out]
    return out


# --- the command -----------------------------------------------------------------------------


def run(base_dir: Path, out: Path, select: str = SELECT, base_label: str = "main") -> str:
    """Compare, write `data-diff.md` and `recce_state.json` to `out`; returns the Markdown."""
    target = config.target()
    if not target.is_duckdb:
        raise DiffError(f"the data diff compares DuckDB builds; WAREHOUSE_TARGET={target.name}")
    current_path = target.duckdb_path
    target_dir = Path(os.environ.get("WAREHOUSE_DBT_TARGET_PATH") or PROJECT_ROOT / "target")
    base_manifest = json.loads((base_dir / "manifest.json").read_text())

    ids = selected_models(base_dir, select)
    current_manifest = json.loads((target_dir / "manifest.json").read_text())
    models = [current_manifest["nodes"][uid] for uid in ids]
    removed = removed_marts(base_manifest, current_manifest)
    base_nodes = {uid: base_manifest["nodes"][uid] for uid in ids + removed
                  if uid in base_manifest["nodes"]}

    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    shutil.rmtree(work, ignore_errors=True)
    for folder in ("base", "current", "home"):
        (work / folder).mkdir(parents=True)

    recce_summary = ""
    state: dict = {}
    compared = [base_manifest["nodes"][uid] for uid in ids if uid in base_manifest["nodes"]]
    compared = [node for node in compared if node["config"]["materialized"] != "ephemeral"]
    copies = {BASE_SCHEMA_PREFIX + node["schema"] for node in compared}
    if models:
        try:
            copied = set()
            if compared:
                copied = copy_base_relations(
                    base_file(base_dir, compared[0]["database"]), current_path, compared
                )
            base_nodes = {uid: node for uid, node in base_nodes.items()
                          if uid in copied or uid in removed}
            current_db = models[0]["database"]
            moved = {}
            for uid in copied:
                node = moved[uid] = dict(base_manifest["nodes"][uid])
                node["database"] = current_db
                node["schema"] = BASE_SCHEMA_PREFIX + node["schema"]
                node["relation_name"] = _quote(current_db, node["schema"], node["alias"])
                base_manifest["nodes"][uid] = node
            (work / "base" / "manifest.json").write_text(json.dumps(base_manifest))
            shutil.copy(target_dir / "manifest.json", work / "current" / "manifest.json")
            write_catalog(current_path, moved, work / "base" / "catalog.json")
            write_catalog(current_path, {node["unique_id"]: node for node in models},
                          work / "current" / "catalog.json")
            (work / "recce.yml").write_text(yaml.safe_dump(
                {"checks": recce_checks(models, copied)}, sort_keys=False))
            state = json.loads(run_recce(work, out, target.name).read_text())
            summary_path = work / "recce_summary.md"
            recce_summary = summary_path.read_text() if summary_path.exists() else ""
        finally:
            drop_base_copies(current_path, copies)
    markdown = render(state, models, base_nodes, removed, recce_summary, base_label)
    (out / "data-diff.md").write_text(markdown)
    return markdown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, required=True,
                        help="folder with the base build's manifest.json and DuckDB file")
    parser.add_argument("--out", type=Path, required=True,
                        help="where data-diff.md and recce_state.json go")
    parser.add_argument("--select", default=SELECT,
                        help=f"dbt selection of the models to compare (default {SELECT!r})")
    parser.add_argument("--base-label", default="main",
                        help="what the base is called in the report (default main)")
    parser.add_argument("--step-summary", type=Path,
                        help="also append the Markdown to this file ($GITHUB_STEP_SUMMARY)")
    args = parser.parse_args(argv)
    try:
        markdown = run(args.base.resolve(), args.out.resolve(), args.select, args.base_label)
    except DiffError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.step_summary:
        with args.step_summary.open("a") as fh:
            fh.write(markdown)
    print(markdown)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
