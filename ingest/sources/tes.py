"""TES value sets, eCR jurisdictions and Refiner configurations: which files, which raw tables.

Three kinds of input land in `raw_tes`:

- TES FHIR ValueSet publications (condition groupers, reporting-specification groupers,
  additional-context groupers). A file holds `{"metadata": {...}, "valuesets": [...]}`, a bare
  list of ValueSets or a single ValueSet. Each ValueSet becomes one `valuesets` row (scalar
  fields as text, `meta`, `useContext` and `compose` kept as JSON text), and its parts are
  exploded into `valueset_includes`, `valueset_concepts`, `valueset_references` (the
  `url|version` entries of `compose.include[].valueSet`) and `valueset_use_contexts`.
- The routing-code CSV of eCR jurisdictions (`RoutingCode,Jurisdiction`) -> `jurisdictions`.
- Operators' configuration changes (`python -m ingest config tes ...`): files
  `config_changes_*.json` holding `{"changes": [{change_id, change_type, jurisdiction_id,
  snomed_code, configuration_id, configuration_version, system, code, display, changed_by,
  changed_at}]}` -> `config_changes`, an append-only log (a change is never rewritten; the
  latest change per key is the one in force).
- Refiner configurations, JSON or CSV. JSON in the shape of the Refiner's sample
  configuration file (`jurisdictions`, `configurations` with `included_conditions` and
  `*_codes_additions`, `activations`), where a configuration may also name its reporting-spec
  grouper directly (`child_grouper`: `url|version`) and carry `is_active`,
  `display_name_override` and `extra_codes` (`[{system, code, display}]`). CSV has one row per
  configuration: `configuration_id, version, jurisdiction_id, name, display_name_override,
  is_active, child_grouper_url, child_grouper_version, extra_codes, updated_at`, where
  `extra_codes` is `system|code` entries separated by `;`.

Nothing is interpreted here beyond splitting lists into rows: every value lands as text, and
staging decides what is usable. A file that is not valid JSON, or an entry that is not an
object, lands as a `_rejected_lines` row with the reason. Every table is emitted on every
load, empty where a file had nothing for it, so staging always finds every table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from ingest import config
from ingest.readers import (
    REJECTED_LINES,
    SOURCE_FILE,
    SOURCE_ROW,
    FileFormatError,
    read_csv_text,
)

DOMAIN = "tes"
VALUESET_ROW = "_valueset_row_number"
CONFIGURATION_ROW = "_configuration_row_number"

# raw table -> its columns (all text except the row numbers and indexes, which are int64)
INT_COLUMNS = {
    SOURCE_ROW, VALUESET_ROW, CONFIGURATION_ROW, "include_index", "concept_index",
    "reference_index", "use_context_index", "coding_index", "item_index", "line_number",
}
SCHEMAS: dict[str, tuple[str, ...]] = {
    "valuesets": (
        SOURCE_FILE, SOURCE_ROW, "file_category", "file_shape", "resource_type",
        "valueset_id", "url", "version", "name", "title", "status", "experimental", "date",
        "publisher", "description", "purpose", "meta_version_id", "meta_last_updated",
        "meta_profiles", "meta_json", "use_context_json", "compose_json",
    ),
    "valueset_includes": (
        SOURCE_FILE, SOURCE_ROW, VALUESET_ROW, "include_index", "system", "system_version",
        "concept_count", "value_set_count", "filter_json",
    ),
    "valueset_concepts": (
        SOURCE_FILE, SOURCE_ROW, VALUESET_ROW, "include_index", "concept_index", "system",
        "system_version", "code", "display",
    ),
    "valueset_references": (
        SOURCE_FILE, SOURCE_ROW, VALUESET_ROW, "include_index", "reference_index", "reference",
    ),
    "valueset_use_contexts": (
        SOURCE_FILE, SOURCE_ROW, VALUESET_ROW, "use_context_index", "context_system",
        "context_code", "coding_index", "value_system", "value_code", "value_display",
        "value_text",
    ),
    "jurisdictions": (SOURCE_FILE, SOURCE_ROW, "routingcode", "jurisdiction"),
    "configuration_jurisdictions": (SOURCE_FILE, SOURCE_ROW, "id", "name", "state_code"),
    "configurations": (
        SOURCE_FILE, SOURCE_ROW, "source_format", "configuration_id", "family_id", "version",
        "name", "jurisdiction_id", "description", "display_name_override", "is_active",
        "updated_at", "cloned_from_configuration_id", "sections_to_include",
        "child_grouper_url", "child_grouper_version", "extra_codes",
    ),
    "configuration_groupers": (
        SOURCE_FILE, SOURCE_ROW, CONFIGURATION_ROW, "list_name", "item_index",
        "canonical_url", "version", "reference",
    ),
    "configuration_codes": (
        SOURCE_FILE, SOURCE_ROW, CONFIGURATION_ROW, "list_name", "item_index", "system",
        "code", "display", "description",
    ),
    "activations": (
        SOURCE_FILE, SOURCE_ROW, "jurisdiction_id", "snomed_code", "configuration_family_id",
        "configuration_id", "configuration_version", "is_active", "activated_at",
        "deactivated_at", "s3_synced_at", "s3_object_key",
    ),
    "config_changes": (
        SOURCE_FILE, SOURCE_ROW, "change_id", "change_type", "jurisdiction_id", "snomed_code",
        "configuration_id", "configuration_version", "system", "code", "display",
        "changed_by", "changed_at",
    ),
    REJECTED_LINES: ("table_name", "file_name", "line_number", "line_text", "reason"),
}
VALUESET_TABLES = (
    "valuesets", "valueset_includes", "valueset_concepts", "valueset_references",
    "valueset_use_contexts",
)
CONFIGURATION_TABLES = (
    "configurations", "configuration_groupers", "configuration_codes", "activations",
    "configuration_jurisdictions",
)
# Lists of extra codes in the Refiner's configuration shape; the system is implied by the list.
ADDITION_LISTS = (
    "loinc_codes_additions", "snomed_codes_additions", "icd10_codes_additions",
    "rxnorm_codes_additions", "custom_codes", "extra_codes",
)

# File name -> kind. Files we know but do not land (manifests, the lookup of reporting-spec
# groupers to condition groupers) are named so the loader can say so.
KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^config_changes_.*\.json$", re.I), "config_changes"),
    (re.compile(r"^manifest.*\.json$", re.I), "not_landed"),
    (re.compile(r"^rsg_cg_mapping.*\.json$", re.I), "not_landed"),
    (re.compile(r".*(jurisdiction).*\.csv$", re.I), "jurisdictions"),
    (re.compile(r".*configuration.*\.(json|csv)$", re.I), "configurations"),
    (re.compile(r".*(grouper|valueset).*\.json$", re.I), "valuesets"),
]


def default_dir() -> Path:
    return config.data_dir() / "sample" / DOMAIN


def kind_of(path: Path) -> str | None:
    for pattern, kind in KINDS:
        if pattern.match(path.name):
            return kind
    return None


def discover(paths: list[Path]) -> tuple[list[Path], list[Path], list[Path]]:
    """Expand folders (recursively); return (files to land, known files not landed, unknown)."""
    known, skipped, unknown = [], [], []
    for p in paths:
        candidates = (
            sorted(f for f in p.rglob("*") if f.suffix.lower() in (".json", ".csv"))
            if p.is_dir()
            else [p]
        )
        for f in candidates:
            kind = kind_of(f)
            if kind is None:
                unknown.append(f)
            elif kind == "not_landed":
                skipped.append(f)
            else:
                known.append(f)
    return known, skipped, unknown


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def text(value: Any) -> str | None:
    """A JSON value as the text the source said: strings as-is, the rest as compact JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Columns:
    """Column-wise builder for one raw table (lists per column, then one Arrow table)."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.names = SCHEMAS[table]
        self.data: dict[str, list] = {n: [] for n in self.names}

    def add(self, **values: Any) -> None:
        for name in self.names:
            value = values.get(name)
            self.data[name].append(value if name in INT_COLUMNS else text(value))

    def __len__(self) -> int:
        return len(self.data[self.names[0]])

    def to_arrow(self) -> pa.Table:
        return pa.table(
            {
                n: pa.array(self.data[n], pa.int64() if n in INT_COLUMNS else pa.string())
                for n in self.names
            }
        )


def _tables(builders: dict[str, Columns]) -> list[tuple[str, pa.Table]]:
    return [(name, b.to_arrow()) for name, b in builders.items()]


def _load_json(path: Path, table: str, rejected: Columns) -> tuple[bool, Any]:
    try:
        with path.open("r", encoding="utf-8-sig") as fh:
            return True, json.load(fh)
    except json.JSONDecodeError as exc:
        lines = exc.doc.splitlines() if exc.doc else []
        line = lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else ""
        rejected.add(table_name=table, file_name=path.name, line_number=exc.lineno,
                     line_text=line[:2000], reason=f"invalid JSON: {exc.msg}")
    except UnicodeDecodeError as exc:
        rejected.add(table_name=table, file_name=path.name, line_number=None,
                     line_text=None, reason=f"not UTF-8 text: {exc.reason}")
    return False, None


# ----------------------------------------------------------------------------------------------
# ValueSet publications
# ----------------------------------------------------------------------------------------------

def read_valuesets(path: Path) -> list[tuple[str, pa.Table]]:
    path = Path(path)
    b = {t: Columns(t) for t in (*VALUESET_TABLES, REJECTED_LINES)}
    ok, doc = _load_json(path, "valuesets", b[REJECTED_LINES])
    if ok:
        category, shape, entries = None, None, None
        if isinstance(doc, dict) and isinstance(doc.get("valuesets"), list):
            metadata = doc.get("metadata")
            category = metadata.get("category") if isinstance(metadata, dict) else None
            shape, entries = "bundle", doc["valuesets"]
        elif isinstance(doc, list):
            shape, entries = "list", doc
        elif isinstance(doc, dict) and "resourceType" in doc:
            shape, entries = "single", [doc]
        if entries is None:
            b[REJECTED_LINES].add(
                table_name="valuesets", file_name=path.name, line_number=None,
                line_text=text(doc)[:2000],
                reason="unexpected top-level shape: expected {metadata, valuesets}, a list "
                "of ValueSets or one ValueSet",
            )
        else:
            for row, entry in enumerate(entries, start=1):
                if not isinstance(entry, dict):
                    b[REJECTED_LINES].add(
                        table_name="valuesets", file_name=path.name, line_number=None,
                        line_text=text(entry)[:2000] if entry is not None else None,
                        reason=f"valuesets entry {row} is not an object",
                    )
                    continue
                _add_valueset(b, path.name, row, entry, category, shape)
    return _tables(b)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _add_valueset(b: dict[str, Columns], file_name: str, row: int, vs: dict,
                  category: Any, shape: str) -> None:
    meta = vs.get("meta") if isinstance(vs.get("meta"), dict) else {}
    profiles = [p for p in _as_list(meta.get("profile")) if p is not None]
    compose = vs.get("compose")
    b["valuesets"].add(
        _source_file=file_name, _source_row_number=row, file_category=category,
        file_shape=shape, resource_type=vs.get("resourceType"), valueset_id=vs.get("id"),
        url=vs.get("url"), version=vs.get("version"), name=vs.get("name"),
        title=vs.get("title"), status=vs.get("status"), experimental=vs.get("experimental"),
        date=vs.get("date"), publisher=vs.get("publisher"),
        description=vs.get("description"), purpose=vs.get("purpose"),
        meta_version_id=meta.get("versionId"), meta_last_updated=meta.get("lastUpdated"),
        meta_profiles=" ".join(text(p) for p in profiles) or None,
        meta_json=vs.get("meta"), use_context_json=vs.get("useContext"),
        compose_json=compose,
    )
    parent = {SOURCE_FILE: file_name, VALUESET_ROW: row}
    includes = compose.get("include") if isinstance(compose, dict) else None
    for i, inc in enumerate(_as_list(includes), start=1):
        inc = inc if isinstance(inc, dict) else {"_not_an_object": inc}
        concepts = _as_list(inc.get("concept"))
        refs = _as_list(inc.get("valueSet"))
        b["valueset_includes"].add(
            **parent, _source_row_number=len(b["valueset_includes"]) + 1, include_index=i,
            system=inc.get("system"), system_version=inc.get("version"),
            concept_count=len(concepts), value_set_count=len(refs),
            filter_json=inc.get("filter") if "filter" in inc else (
                inc if "_not_an_object" in inc else None),
        )
        for c, concept in enumerate(concepts, start=1):
            concept = concept if isinstance(concept, dict) else {"display": text(concept)}
            b["valueset_concepts"].add(
                **parent, _source_row_number=len(b["valueset_concepts"]) + 1,
                include_index=i, concept_index=c, system=inc.get("system"),
                system_version=inc.get("version"), code=concept.get("code"),
                display=concept.get("display"),
            )
        for r, ref in enumerate(refs, start=1):
            b["valueset_references"].add(
                **parent, _source_row_number=len(b["valueset_references"]) + 1,
                include_index=i, reference_index=r, reference=ref,
            )
    for u, uc in enumerate(_as_list(vs.get("useContext")), start=1):
        uc = uc if isinstance(uc, dict) else {}
        code = uc.get("code") if isinstance(uc.get("code"), dict) else {}
        value = uc.get("valueCodeableConcept")
        value = value if isinstance(value, dict) else {}
        codings = [c for c in _as_list(value.get("coding")) if isinstance(c, dict)] or [{}]
        for k, coding in enumerate(codings, start=1):
            b["valueset_use_contexts"].add(
                **parent, _source_row_number=len(b["valueset_use_contexts"]) + 1,
                use_context_index=u, context_system=code.get("system"),
                context_code=code.get("code"), coding_index=k,
                value_system=coding.get("system"), value_code=coding.get("code"),
                value_display=coding.get("display"), value_text=value.get("text"),
            )


# ----------------------------------------------------------------------------------------------
# jurisdictions (routing codes)
# ----------------------------------------------------------------------------------------------

def read_jurisdictions(path: Path) -> list[tuple[str, pa.Table]]:
    tables = read_csv_text(Path(path), "jurisdictions")
    data = tables[0][1]
    missing = {"routingcode", "jurisdiction"} - set(data.column_names)
    if missing:
        raise FileFormatError(
            f"{Path(path).name}: line 1: expected the columns RoutingCode,Jurisdiction; "
            f"missing {sorted(missing)}"
        )
    return [*tables, *_empty_except(("jurisdictions", REJECTED_LINES))]


def _empty_except(present: tuple[str, ...]) -> list[tuple[str, pa.Table]]:
    """Empty tables for every raw table a file had nothing for (so every table exists)."""
    return [(t, Columns(t).to_arrow()) for t in SCHEMAS if t not in present]


# ----------------------------------------------------------------------------------------------
# configurations
# ----------------------------------------------------------------------------------------------

def read_configurations(path: Path) -> list[tuple[str, pa.Table]]:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        return _configurations_csv(path)
    b = {t: Columns(t) for t in (*CONFIGURATION_TABLES, REJECTED_LINES)}
    ok, doc = _load_json(path, "configurations", b[REJECTED_LINES])
    if ok and not isinstance(doc, dict):
        b[REJECTED_LINES].add(
            table_name="configurations", file_name=path.name, line_number=None,
            line_text=text(doc)[:2000],
            reason="unexpected top-level shape: expected an object with configurations",
        )
    elif ok:
        for row, j in enumerate(_as_list(doc.get("jurisdictions")), start=1):
            if _object_or_reject(b, path.name, "configuration_jurisdictions", row, j):
                b["configuration_jurisdictions"].add(
                    _source_file=path.name, _source_row_number=row, id=j.get("id"),
                    name=j.get("name"), state_code=j.get("state_code"),
                )
        for row, conf in enumerate(_as_list(doc.get("configurations")), start=1):
            if _object_or_reject(b, path.name, "configurations", row, conf):
                _add_configuration(b, path.name, row, conf)
        for row, act in enumerate(_as_list(doc.get("activations")), start=1):
            if _object_or_reject(b, path.name, "activations", row, act):
                b["activations"].add(
                    _source_file=path.name, _source_row_number=row,
                    jurisdiction_id=act.get("jurisdiction_id"),
                    snomed_code=act.get("snomed_code"),
                    configuration_family_id=act.get("configuration_family_id"),
                    configuration_id=act.get("configuration_id"),
                    configuration_version=act.get("configuration_version"),
                    is_active=act.get("is_active"), activated_at=act.get("activated_at"),
                    deactivated_at=act.get("deactivated_at"),
                    s3_synced_at=act.get("s3_synced_at"),
                    s3_object_key=act.get("s3_object_key"),
                )
    return [*_tables(b), *_empty_except((*CONFIGURATION_TABLES, REJECTED_LINES))]


def _object_or_reject(b: dict[str, Columns], file_name: str, table: str, row: int,
                      entry: Any) -> bool:
    if isinstance(entry, dict):
        return True
    b[REJECTED_LINES].add(table_name=table, file_name=file_name, line_number=None,
                          line_text=text(entry), reason=f"{table} entry {row} is not an object")
    return False


def _add_configuration(b: dict[str, Columns], file_name: str, row: int, conf: dict) -> None:
    child = conf.get("child_grouper")
    b["configurations"].add(
        _source_file=file_name, _source_row_number=row, source_format="json",
        configuration_id=conf.get("configuration_id", conf.get("id")),
        family_id=conf.get("family_id"), version=conf.get("version"), name=conf.get("name"),
        jurisdiction_id=conf.get("jurisdiction_id"), description=conf.get("description"),
        display_name_override=conf.get("display_name_override"),
        is_active=conf.get("is_active"), updated_at=conf.get("updated_at"),
        cloned_from_configuration_id=conf.get("cloned_from_configuration_id"),
        sections_to_include=conf.get("sections_to_include"),
        child_grouper_url=conf.get("child_grouper_url"),
        child_grouper_version=conf.get("child_grouper_version"),
    )
    owner = {SOURCE_FILE: file_name, CONFIGURATION_ROW: row}
    groupers = b["configuration_groupers"]
    for i, cond in enumerate(_as_list(conf.get("included_conditions")), start=1):
        cond = cond if isinstance(cond, dict) else {"reference": cond}
        groupers.add(**owner, _source_row_number=len(groupers) + 1,
                     list_name="included_conditions", item_index=i,
                     canonical_url=cond.get("canonical_url"), version=cond.get("version"),
                     reference=cond.get("reference"))
    if child is not None:
        groupers.add(**owner, _source_row_number=len(groupers) + 1, list_name="child_grouper",
                     item_index=1, reference=child)
    if conf.get("child_grouper_url") is not None:
        groupers.add(**owner, _source_row_number=len(groupers) + 1, list_name="child_grouper",
                     item_index=1, canonical_url=conf.get("child_grouper_url"),
                     version=conf.get("child_grouper_version"))
    codes = b["configuration_codes"]
    for list_name in ADDITION_LISTS:
        for i, item in enumerate(_as_list(conf.get(list_name)), start=1):
            item = item if isinstance(item, dict) else {"code": item}
            codes.add(**owner, _source_row_number=len(codes) + 1, list_name=list_name,
                      item_index=i, system=item.get("system"), code=item.get("code"),
                      display=item.get("display"), description=item.get("description"))


def _configurations_csv(path: Path) -> list[tuple[str, pa.Table]]:
    """One configuration per CSV row; its child grouper and extra codes exploded into rows."""
    tables = dict(read_csv_text(path, "configurations"))
    data = tables["configurations"]
    n = data.num_rows
    columns = {name: data.column(name).to_pylist() if name in data.column_names else [None] * n
               for name in SCHEMAS["configurations"]}
    columns["source_format"] = ["csv"] * n
    extra = [c for c in data.column_names if c not in SCHEMAS["configurations"]]
    for c in extra:  # columns the layout does not know still land
        columns[c] = data.column(c).to_pylist()
    owner_rows = columns[SOURCE_ROW]
    b = {t: Columns(t) for t in ("configuration_groupers", "configuration_codes")}
    for i in range(n):
        owner = {SOURCE_FILE: path.name, CONFIGURATION_ROW: owner_rows[i]}
        url, version = columns["child_grouper_url"][i], columns["child_grouper_version"][i]
        if url or version:
            b["configuration_groupers"].add(
                **owner, _source_row_number=len(b["configuration_groupers"]) + 1,
                list_name="child_grouper", item_index=1, canonical_url=url, version=version)
        for k, entry in enumerate(_split_codes(columns["extra_codes"][i]), start=1):
            system, sep, code = entry.rpartition("|")
            b["configuration_codes"].add(
                **owner, _source_row_number=len(b["configuration_codes"]) + 1,
                list_name="extra_codes", item_index=k, system=system if sep else None,
                code=code)
    out = [("configurations", pa.table(
        {k: pa.array(v, pa.int64() if k in INT_COLUMNS else pa.string())
         for k, v in columns.items()}))]
    out += _tables(b)
    present = ["configurations", "configuration_groupers", "configuration_codes"]
    if REJECTED_LINES in tables:
        out.append((REJECTED_LINES, tables[REJECTED_LINES]))
        present.append(REJECTED_LINES)
    return [*out, *_empty_except(tuple(present))]


def _split_codes(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(";") if part.strip()]


# ----------------------------------------------------------------------------------------------
# configuration changes (the operators' change log)
# ----------------------------------------------------------------------------------------------

def read_config_changes(path: Path) -> list[tuple[str, pa.Table]]:
    path = Path(path)
    b = {t: Columns(t) for t in ("config_changes", REJECTED_LINES)}
    ok, doc = _load_json(path, "config_changes", b[REJECTED_LINES])
    entries = doc.get("changes") if ok and isinstance(doc, dict) else None
    if ok and not isinstance(entries, list):
        b[REJECTED_LINES].add(
            table_name="config_changes", file_name=path.name, line_number=None,
            line_text=text(doc)[:2000],
            reason="unexpected top-level shape: expected an object with a list of changes",
        )
    for row, change in enumerate(entries or [], start=1):
        if _object_or_reject(b, path.name, "config_changes", row, change):
            b["config_changes"].add(_source_file=path.name, _source_row_number=row,
                                    **{k: change.get(k) for k in SCHEMAS["config_changes"][2:]})
    return [*_tables(b), *_empty_except(("config_changes", REJECTED_LINES))]


READERS: dict[str, Callable[[Path], list[tuple[str, pa.Table]]]] = {
    "valuesets": read_valuesets,
    "jurisdictions": read_jurisdictions,
    "configurations": read_configurations,
    "config_changes": read_config_changes,
}


def read(path: Path) -> list[tuple[str, pa.Table]]:
    kind = kind_of(Path(path))
    if kind not in READERS:
        raise ValueError(f"{Path(path).name}: not a TES file name this loader knows")
    tables = READERS[kind](Path(path))
    if kind == "valuesets":
        tables = [*tables, *_empty_except((*VALUESET_TABLES, REJECTED_LINES))]
    return tables
