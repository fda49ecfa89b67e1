"""Land clinical service requests mapped to NCIt into raw_clinical.

    python -m ingest load clinical [PATH...]

PATH: files or folders (default: <WAREHOUSE_DATA_DIR>/sample/clinical) of
- pipeline output, `.ndjson` / `.jsonl` (what `map-fhir` writes), landed as it is;
- FHIR R4 `.json`: Bundles or bare resources (ServiceRequest, Patient, Encounter, ...),
  mapped to NCIt first, the way `map-fhir` does, into one pipeline-output file under
  `<WAREHOUSE_DATA_DIR>/clinical/mapped/` named by the inputs' checksums, then landed. The
  mapper's summary is printed; a FHIR file that cannot be read stops the load before
  anything lands.
Each file lands once (by checksum): loading the same file again lands nothing. The summary
counts, per table, the natural keys this load brought: inserted (not in raw_clinical
before), updated (there before, newest version's content differs) and unchanged (sent
again with the same content).
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import config, runner
from ingest.log import say
from ingest.readers import SOURCE_FILE, SOURCE_ROW
from ingest.sources import clinical

ORDER = f"{SOURCE_FILE} desc, {SOURCE_ROW} desc, {clinical.ITEM_INDEX} desc"


@dataclass
class KeyCounts:
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    without_key: int = 0


@dataclass
class ClinicalLoad:
    landing: runner.LoadSummary
    changes: dict[str, KeyCounts] = field(default_factory=dict)

    def describe(self) -> str:
        s = self.landing
        lines = [
            f"clinical: landed {len(s.files_landed)} file(s) into raw_clinical on {s.target} "
            f"in {s.seconds:.1f}s"
            + (f"; {len(s.files_skipped)} file(s) already landed, skipped" if s.files_skipped
               else ""),
            f"  {'table':<18} {'rows':>8} {'inserted':>9} {'updated':>8} {'unchanged':>10} "
            f"{'no key':>7}",
        ]
        for table in clinical.NATURAL_KEYS:
            c = self.changes.get(table, KeyCounts())
            lines.append(
                f"  {table:<18} {c.rows:>8,} {c.inserted:>9,} {c.updated:>8,} "
                f"{c.unchanged:>10,} {c.without_key:>7,}"
            )
        rejected = s.rows_by_table.get(runner.REJECTED_LINES, 0)
        lines.append(
            f"  fragments {s.rows_by_table.get('fragments', 0):,}; malformed lines {rejected:,}"
            + (" (landed in _rejected_lines, listed in ctl.rejects)" if rejected else "")
        )
        lines.append(
            "  inserted = natural keys new to raw_clinical; updated = keys already there whose "
            "newest version changed; unchanged = keys sent again as they were. Staging decides "
            "which rows are usable."
        )
        return "\n".join(lines)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="pipeline-output .ndjson files, FHIR .json bundles or resources, or folders "
        "(default: data/sample/clinical)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def _key_sql(table: str, alias: str = "") -> str:
    """One text key per row (null when a key column is null), the same on both sides."""
    cols = [f"{alias}{c}" for c in clinical.NATURAL_KEYS[table]]
    if table == "ncit_concepts":
        col = cols[0]
        return (f"coalesce(nullif(regexp_extract(upper(trim({col})), 'C[0-9]+$'), ''), "
                f"trim({col}))")
    if len(cols) == 1:
        return cols[0]
    nulls = " or ".join(f"{c} is null" for c in cols)
    return f"case when {nulls} then null else " + " || '|' || ".join(cols) + " end"


def _previous_rows(p, table: str) -> pa.Table | None:
    """Key columns, content hash and order of every raw row landed by completed loads."""
    if not (runner.table_exists(p, table) and runner.table_exists(p, "_dlt_loads")):
        return None
    keys = clinical.NATURAL_KEYS[table]
    with p.sql_client() as client:
        raw = client.make_qualified_table_name(table)
        loads = client.make_qualified_table_name("_dlt_loads")
    columns = [*keys, clinical.CONTENT_HASH, "_dlt_load_id", SOURCE_FILE, SOURCE_ROW,
               clinical.ITEM_INDEX]
    rows = runner.query(
        p,
        f"select {', '.join('t.' + c for c in columns)} from {raw} t "
        f"where t._dlt_load_id in (select load_id from {loads} where status = 0)",
    )
    data = list(zip(*rows, strict=True)) if rows else [[] for _ in columns]
    types = [pa.string()] * (len(keys) + 3) + [pa.int64(), pa.int64()]
    return pa.table({c: pa.array(list(v), t) for c, v, t in zip(columns, data, types, strict=True)})


def _count(table: str, new: list[pa.Table], previous: pa.Table | None) -> KeyCounts:
    con = duckdb.connect()
    try:
        con.register("new_rows", pa.concat_tables(new) if new else _empty(table))
        key = _key_sql(table)
        con.execute(
            f"create temp table fresh as select {key} as k, {clinical.CONTENT_HASH} as h "
            f"from new_rows where {key} is not null "
            f"qualify row_number() over (partition by {key} order by {ORDER}) = 1"
        )
        if previous is None:
            con.execute("create temp table prior (k varchar, h varchar)")
        else:
            con.register("previous_rows", previous)
            con.execute(
                f"create temp table prior as select {key} as k, {clinical.CONTENT_HASH} as h "
                f"from previous_rows where {key} is not null qualify row_number() over "
                f"(partition by {key} order by _dlt_load_id desc, {ORDER}) = 1"
            )
        inserted, updated, unchanged = con.execute(
            "select count(*) filter (where prior.k is null), "
            "count(*) filter (where prior.k is not null and prior.h is distinct from fresh.h), "
            "count(*) filter (where prior.k is not null and prior.h = fresh.h) "
            "from fresh left join prior on fresh.k = prior.k"
        ).fetchone()
        rows, without_key = con.execute(
            f"select count(*), count(*) filter (where {key} is null) from new_rows"
        ).fetchone()
    finally:
        con.close()
    return KeyCounts(rows, inserted, updated, unchanged, without_key)


def _empty(table: str) -> pa.Table:
    names = [*clinical.NATURAL_KEYS[table], clinical.CONTENT_HASH, SOURCE_FILE]
    table_ = pa.table({n: pa.array([], pa.string()) for n in names})
    table_ = table_.append_column(SOURCE_ROW, pa.array([], pa.int64()))
    return table_.append_column(clinical.ITEM_INDEX, pa.array([], pa.int64()))


def _map_fhir(fhir_files: list[Path]) -> Path:
    """Map FHIR JSON files to one pipeline-output file; its name follows the inputs' content,
    so the same inputs give the same file, which lands once."""
    from ingest.clinical.mapper import format_summary, map_paths
    from ingest.clinical.ndjson import write_ndjson

    records, summary = map_paths(fhir_files)
    say("\n".join(f"fhir: {line}" for line in format_summary(summary).splitlines()))
    if summary["files_failed"]:
        first = summary["problems"][0] if summary["problems"] else {}
        raise clinical.FileFormatError(
            f"{summary['files_failed']} FHIR file(s) could not be read, nothing landed (first: "
            f"{first.get('source_file', '?')}: {first.get('reason', '?')})"
        )
    digest = hashlib.sha256()
    for path in sorted(fhir_files):
        digest.update(f"{path.name}:{runner.sha256_of(path)}\n".encode())
    out = config.data_dir() / "clinical" / "mapped" / f"fhir_{digest.hexdigest()[:16]}.ndjson"
    lines = write_ndjson(records, out)
    say(f"fhir: mapped {len(fhir_files)} file(s) to {lines} fragment(s) in {out}")
    return out


def load(paths: list[Path], target: config.Target | None = None) -> ClinicalLoad:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(map(str, missing))}")
    target = target or config.target()
    files, unknown = clinical.discover(paths)
    fhir_files = [f for f in unknown if f.suffix.lower() == ".json"]
    unknown = [f for f in unknown if f.suffix.lower() != ".json"]
    if fhir_files:
        files.append(_map_fhir(fhir_files))
    for f in unknown:
        runner.eprint(f"warning: {f.name}: neither pipeline output (.ndjson) nor FHIR (.json), "
                      "not landed")
    p = runner.pipeline(clinical.DOMAIN, target)
    previous = {t: _previous_rows(p, t) for t in clinical.NATURAL_KEYS}
    read_tables: dict[str, list[pa.Table]] = {}

    def read_and_keep(path: Path) -> list[tuple[str, pa.Table]]:
        tables = clinical.read(path)
        for name, data in tables:
            read_tables.setdefault(name, []).append(data)
        return tables

    landing = runner.land_files(clinical.DOMAIN, files, read_and_keep, target=target)
    changes = {
        t: _count(t, read_tables.get(t, []), previous[t]) for t in clinical.NATURAL_KEYS
    }
    return ClinicalLoad(landing, changes)


def load_sample(target: config.Target) -> ClinicalLoad:
    """What is new in the sample folder (the demo and `make load`, via the domain registry)."""
    return load([clinical.default_dir()], target)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [clinical.default_dir()]
    try:
        result = load(paths, config.target(args.target))
    except clinical.FileFormatError as exc:
        say(f"error: {exc}")
        return 1
    say(result.describe())
    return 0
