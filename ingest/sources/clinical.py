"""Clinical service requests: the NDJSON pipeline output, exploded into raw tables.

Each line of a pipeline-output file is a fragment (docs/clinical/pipeline-output.md): an
object holding the lists `service_requests`, `codes`, `mappings`, `ncit_concepts`,
`patients` and `encounters`. DuckDB reads the file, checks every line and explodes each
list into its own raw table: one row per list item, every field as text (objects such as
`thresholds` as their JSON text), plus

    _source_file         the NDJSON file's name
    _source_row_number   the fragment's line number in that file
    _item_index          the item's position in its list (0 = first)
    _extra_fields        JSON text of fields this reader does not know (null when none)
    _content_hash        md5 of the item without its provenance fields (file, bundle,
                         entry position), to tell a changed version from a repeated one

A `fragments` table holds one row per usable line. Lines that are not JSON objects, or
whose lists are not lists of objects, land in `_rejected_lines` with the reason; blank
lines carry nothing and are skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa

from ingest import config
from ingest.readers import REJECTED_LINES, SOURCE_FILE, SOURCE_ROW, FileFormatError

DOMAIN = "clinical"
ITEM_INDEX = "_item_index"
EXTRA_FIELDS = "_extra_fields"
CONTENT_HASH = "_content_hash"
FILE_SUFFIXES = (".ndjson", ".jsonl")
PROVENANCE = ("source_file", "bundle_id", "entry_index", "location")

FRAGMENT_FIELDS = ("source_file", "location", "bundle_id")

# Fields of each list, as the format documents them (order kept in the raw tables).
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    "service_requests": (
        "sr_id", "patient_id", "encounter_id", "status", "intent", "priority", "description",
        "code_text", "ordered_at", "occurrence_start", "subject_reference",
        "encounter_reference", "requester_reference", "identifier_system", "identifier_value",
        "code_count", "last_updated", "source_file", "bundle_id", "entry_index",
    ),
    "codes": (
        "sr_id", "coding_index", "system", "code", "display", "version", "system_normalized",
        "code_element_id",
    ),
    "mappings": (
        "code_element_id", "cui", "ncit_id", "score", "strategy", "state", "thresholds",
        "source_versions", "reason",
    ),
    "ncit_concepts": ("ncit_id", "preferred_name", "semantic_group"),
    "patients": (
        "patient_id", "birth_date", "gender", "active", "deceased_at", "identifier_system",
        "identifier_value", "last_updated", "source_file", "bundle_id",
    ),
    "encounters": (
        "encounter_id", "patient_id", "status", "class", "class_system", "period_start",
        "period_end", "subject_reference", "last_updated", "source_file", "bundle_id",
    ),
}
TABLES = ("fragments", *LIST_FIELDS)
# Fields that hold a structure: always landed as valid JSON text (a string stays quoted).
JSON_FIELDS = {"thresholds", "source_versions"}

# Natural key of each list, for the load summary (staging decides what is current).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "service_requests": ("sr_id",),
    "codes": ("sr_id", "coding_index"),
    "mappings": ("code_element_id",),
    "ncit_concepts": ("ncit_id",),
    "patients": ("patient_id",),
    "encounters": ("encounter_id",),
}


def default_dir() -> Path:
    return config.data_dir() / "sample" / DOMAIN


def discover(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders (pipeline-output files directly inside); return (known, unknown)."""
    known, unknown = [], []
    for p in paths:
        candidates = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
        for f in candidates:
            if f.name.startswith(("_", ".")) and p.is_dir():
                continue  # manifests and hidden files beside the output
            (known if f.suffix.lower() in FILE_SUFFIXES else unknown).append(f)
    return known, unknown


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _patch_removing(fields: tuple[str, ...]) -> str:
    """A JSON merge patch that removes `fields` from an object."""
    return _sql_text(json.dumps({f: None for f in fields}))


def _lines(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Table `lines(line_number, line)` of the file's non-blank lines."""
    try:
        con.execute(
            "create temp table lines as "
            "with f as (select string_split(content, chr(10)) as parts from read_text(?)), "
            "numbered as (select unnest(parts) as line, generate_subscripts(parts, 1) as n "
            "from f) "
            "select cast(n as bigint) as line_number, "
            "  case when n = 1 then ltrim(rtrim(line, chr(13)), chr(65279)) "
            "       else rtrim(line, chr(13)) end as line "
            "from numbered where trim(line) <> ''",
            [str(path)],
        )
    except duckdb.Error as exc:
        raise FileFormatError(f"{path.name}: cannot be read as UTF-8 text: {exc}") from exc


def _checked(con: duckdb.DuckDBPyConnection) -> None:
    """Table `checked(line_number, line, doc, reason)`: reason null for a usable fragment."""
    list_checks = []
    for name in LIST_FIELDS:
        path = f"'$.{name}'"
        list_checks.append(
            f"when json_type(doc, {path}) not in ('ARRAY', 'NULL') "
            f"then 'field {name} is not a list (found ' || lower(json_type(doc, {path})) || ')'"
        )
        list_checks.append(
            f"when json_type(doc, {path}) = 'ARRAY' and len(list_filter("
            f"json_extract(doc, '$.{name}[*]'), x -> json_type(x) <> 'OBJECT')) > 0 "
            f"then 'field {name} holds an item that is not an object'"
        )
    con.execute(
        "create temp table checked as "
        "with parsed as (select line_number, line, "
        "  case when json_valid(line) then cast(line as json) end as doc from lines) "
        "select line_number, line, doc, case "
        "  when doc is null then 'invalid JSON' "
        "  when json_type(doc) <> 'OBJECT' "
        "    then 'not a JSON object (found ' || lower(json_type(doc)) || ')' "
        + " ".join(list_checks)
        + " end as reason from parsed"
    )


def _fragments(con: duckdb.DuckDBPyConnection, file_name: str) -> pa.Table:
    fields = ", ".join(f"json_extract_string(doc, '$.{f}') as {f}" for f in FRAGMENT_FIELDS)
    counts = ", ".join(
        f"coalesce(json_array_length(doc, '$.{n}'), 0) as {n}_count" for n in LIST_FIELDS
    )
    known = (*FRAGMENT_FIELDS, *LIST_FIELDS)
    return con.execute(
        f"select {fields}, {counts}, "
        f"nullif(cast(json_merge_patch(doc, {_patch_removing(known)}) as varchar), '{{}}') "
        f"as {EXTRA_FIELDS}, "
        f"? as {SOURCE_FILE}, line_number as {SOURCE_ROW} "
        "from checked where reason is null order by line_number",
        [file_name],
    ).to_arrow_table()


def _items(con: duckdb.DuckDBPyConnection, name: str, file_name: str) -> pa.Table:
    fields = LIST_FIELDS[name]
    columns = ", ".join(
        f"nullif(cast(json_extract(item, '$.\"{f}\"') as varchar), 'null') as \"{f}\""
        if f in JSON_FIELDS
        else f"json_extract_string(item, '$.\"{f}\"') as \"{f}\""
        for f in fields
    )
    return con.execute(
        f"with lists as (select line_number, json_extract(doc, '$.{name}[*]') as items "
        f"  from checked where reason is null and json_type(doc, '$.{name}') = 'ARRAY'), "
        "exploded as (select line_number, unnest(items) as item, "
        "  generate_subscripts(items, 1) - 1 as item_index from lists) "
        f"select {columns}, "
        f"? as {SOURCE_FILE}, line_number as {SOURCE_ROW}, "
        f"cast(item_index as bigint) as {ITEM_INDEX}, "
        f"nullif(cast(json_merge_patch(item, {_patch_removing(fields)}) as varchar), '{{}}') "
        f"as {EXTRA_FIELDS}, "
        f"md5(cast(json_merge_patch(item, {_patch_removing(PROVENANCE)}) as varchar)) "
        f"as {CONTENT_HASH} "
        "from exploded order by line_number, item_index",
        [file_name],
    ).to_arrow_table()


def _rejected(con: duckdb.DuckDBPyConnection, file_name: str) -> pa.Table:
    return con.execute(
        "select 'fragments' as table_name, ? as file_name, line_number, "
        "line as line_text, reason from checked where reason is not null order by line_number",
        [file_name],
    ).to_arrow_table()


def read(path: Path) -> list[tuple[str, pa.Table]]:
    """[(raw table, rows)] for one pipeline-output file, `_rejected_lines` when any."""
    path = Path(path)
    con = duckdb.connect()
    try:
        _lines(con, path)
        _checked(con)
        out = [("fragments", _fragments(con, path.name))]
        out += [(name, _items(con, name, path.name)) for name in LIST_FIELDS]
        rejected = _rejected(con, path.name)
    finally:
        con.close()
    # Every table lands even when empty, so staging always finds all of them.
    if rejected.num_rows:
        out.append((REJECTED_LINES, rejected))
    return out
