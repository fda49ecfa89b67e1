"""Reference mapper: FHIR R4 JSON (Bundles, bare resources) to the NDJSON pipeline output.

    python -m ingest map-fhir IN... --out FILE.ndjson [--xref FILE] [--ncit-concepts FILE]

Each input unit (a Bundle, a bare resource, a line of a bulk NDJSON file) becomes one output
line holding the lists `service_requests`, `codes`, `mappings`, `ncit_concepts`, `patients`,
`encounters` (format: docs/clinical/pipeline-output.md; mapping rules:
ingest/clinical/terminology.py). Raw values stay as the source wrote them; validation is
the warehouse's job. Nothing is dropped silently: unreadable files, lines that are not FHIR,
and resource types other than ServiceRequest, Patient and Encounter are listed in the
summary (returned, and printed to stderr by the command).
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from ingest.clinical import fhir, terminology
from ingest.clinical.ndjson import LISTS, write_ndjson
from ingest.clinical.terminology import Reference
from ingest.log import say

__all__ = ["map_paths", "write_ndjson", "add_map_arguments", "run_map", "format_summary"]


def code_element_id(sr_id: str, system: Any, code: Any) -> str:
    """`sr_id::system::code`, with `unknown-system` / `unknown-code` where absent or blank."""
    system_text = system.strip() if isinstance(system, str) and system.strip() else None
    code_text = code.strip() if isinstance(code, str) and code.strip() else None
    return f"{sr_id}::{system_text or 'unknown-system'}::{code_text or 'unknown-code'}"


def _new_summary() -> dict[str, Any]:
    return {
        "files_read": 0,
        "files_failed": 0,
        "units": 0,
        "fragments": 0,
        "resources": Counter(),
        "unsupported": Counter(),
        "rows": Counter({name: 0 for name in LISTS}),
        "mapping_states": Counter(),
        "mapping_reasons": Counter(),
        "warnings": Counter(),
        "problems": [],
    }


def _code_rows(
    resource: dict[str, Any], sr_id: str, unit: fhir.Unit, where: str, summary: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for index, coding in enumerate(fhir.codings(resource)):
        if not isinstance(coding, dict):
            summary["problems"].append(fhir.problem(
                unit.source_file, "coding is not an object: not mapped",
                f"{where} code.coding[{index}]", sr_id=sr_id,
            ))
            summary["warnings"]["malformed_coding"] += 1
            continue
        system, code = fhir.text(coding.get("system")), fhir.text(coding.get("code"))
        rows.append({
            "sr_id": sr_id,
            "coding_index": index,
            "system": system,
            "code": code,
            "display": fhir.text(coding.get("display")),
            "version": fhir.text(coding.get("version")),
            "system_normalized": terminology.canonical_system(system),
            "code_element_id": code_element_id(sr_id, system, code),
        })
    return rows


def _sr_warnings(row: dict[str, Any], summary: dict[str, Any]) -> None:
    checks = {
        "service_request_without_id": row["sr_id"] is None,
        "service_request_without_subject": row["subject_reference"] is None,
        "subject_not_a_patient_reference": row["subject_reference"] is not None
        and row["patient_id"] is None,
        "service_request_without_encounter": row["encounter_reference"] is None,
        "service_request_without_codes": row["code_count"] == 0,
    }
    for name, hit in checks.items():
        if hit:
            summary["warnings"][name] += 1


def map_unit(unit: fhir.Unit, ref: Reference, summary: dict[str, Any]) -> dict[str, Any] | None:
    """One output fragment for one input unit (None when it holds nothing to emit)."""
    lists: dict[str, list[dict[str, Any]]] = {name: [] for name in LISTS}
    resolver = fhir.Resolver(unit)
    for entry_index, full_url, resource in unit.entries:
        kind = resource["resourceType"]
        rid = fhir.resource_id(resource, full_url)
        where = " ".join(x for x in (unit.location, f"entry[{entry_index}]"
                                     if entry_index is not None else "") if x)
        if kind not in fhir.SUPPORTED:
            summary["unsupported"][kind] += 1
            summary["problems"].append(fhir.problem(
                unit.source_file, f"unsupported resource type {kind}: not mapped", where, id=rid,
            ))
            continue
        summary["resources"][kind] += 1
        if kind == "Patient":
            lists["patients"].append(fhir.patient_row(resource, rid, unit))
        elif kind == "Encounter":
            lists["encounters"].append(fhir.encounter_row(resource, rid, unit, resolver))
        else:
            row = fhir.service_request_row(resource, rid, unit, entry_index, resolver)
            _sr_warnings(row, summary)
            lists["service_requests"].append(row)
            if rid is None:
                if row["code_count"]:
                    summary["problems"].append(fhir.problem(
                        unit.source_file, "ServiceRequest without id or fullUrl: its codes "
                        "are not exploded", where))
                continue
            lists["codes"].extend(_code_rows(resource, rid, unit, where, summary))
    seen: set[str] = set()
    concepts: dict[str, dict[str, Any]] = {}
    for code in lists["codes"]:
        if code["code_element_id"] in seen:
            continue
        seen.add(code["code_element_id"])
        mapping = terminology.map_code(code["code_element_id"], code["system"], code["code"], ref)
        lists["mappings"].append(mapping)
        summary["mapping_states"][mapping["state"]] += 1
        summary["mapping_reasons"][mapping["reason"]] += 1
        key = terminology.ncit_key(mapping["ncit_id"])
        if key is None:
            continue
        if key in ref.concepts:
            concepts.setdefault(key, ref.concepts[key])
        else:
            summary["warnings"]["mapped_to_concept_not_in_reference"] += 1
    lists["ncit_concepts"] = [dict(concepts[k]) for k in sorted(concepts)]
    if not any(lists.values()):
        return None
    for name in LISTS:
        summary["rows"][name] += len(lists[name])
    return {
        "source_file": unit.source_file,
        "location": unit.location or None,
        "bundle_id": unit.bundle_id,
        **lists,
    }


def map_paths(
    paths: list[str | Path], reference: Reference | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Map files and folders; returns (fragments, summary). Never raises for bad input."""
    ref = reference if reference is not None else terminology.load_reference()
    read = fhir.read_units(paths)
    summary = _new_summary()
    summary["files_read"] = read.files_read
    summary["files_failed"] = read.files_failed
    summary["problems"].extend(read.problems)
    summary["units"] = len(read.units)
    records = []
    for unit in read.units:
        fragment = map_unit(unit, ref, summary)
        if fragment is not None:
            records.append(fragment)
    summary["fragments"] = len(records)
    ids = Counter(
        sr["sr_id"] for r in records for sr in r["service_requests"] if sr["sr_id"] is not None
    )
    summary["warnings"]["duplicate_service_request_id"] = sum(n - 1 for n in ids.values() if n > 1)
    summary["source_versions"] = dict(ref.source_versions)
    for key in ("resources", "unsupported", "rows", "mapping_states", "mapping_reasons"):
        summary[key] = dict(sorted(summary[key].items()))
    summary["warnings"] = {k: v for k, v in sorted(summary["warnings"].items()) if v}
    return records, summary


def format_summary(summary: dict[str, Any]) -> str:
    """Human-readable summary, one fact a line, problems listed with file and reason."""
    def kv(d: dict[str, Any]) -> str:
        return ", ".join(f"{k}={v}" for k, v in d.items()) or "none"

    lines = [
        f"files read: {summary['files_read']}, failed: {summary['files_failed']}, "
        f"fragments written: {summary['fragments']}",
        f"resources mapped: {kv(summary['resources'])}",
        f"rows: {kv(summary['rows'])}",
        f"mapping states: {kv(summary['mapping_states'])}",
        f"mapping reasons: {kv(summary['mapping_reasons'])}",
    ]
    if summary["unsupported"]:
        lines.append(f"unsupported resources (not mapped): {kv(summary['unsupported'])}")
    if summary["warnings"]:
        lines.append(f"warnings (rows kept, the warehouse decides): {kv(summary['warnings'])}")
    for p in summary["problems"]:
        where = f" ({p['where']})" if p.get("where") else ""
        lines.append(f"  {p['source_file']}{where}: {p['reason']}")
    return "\n".join(lines)


def add_map_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="IN",
                        help="FHIR JSON/NDJSON files or folders (searched recursively)")
    parser.add_argument("--out", required=True, type=Path, metavar="FILE.ndjson",
                        help="pipeline-output NDJSON file to write")
    parser.add_argument("--xref", action="append", type=Path, default=[], metavar="FILE",
                        help="extra cross-reference rows (CSV like the seed, or a JSON list "
                             "of {system, code, ncit_id, cui[, score, strategy]}); repeatable")
    parser.add_argument("--ncit-concepts", action="append", type=Path, default=[],
                        metavar="FILE", help="extra NCIt concepts (CSV or JSON list of "
                        "{ncit_id, preferred_name, semantic_group}); repeatable")


def run_map(args: argparse.Namespace) -> int:
    """Map, write the NDJSON, print the summary to stderr; 1 if an input file failed."""
    try:
        ref = terminology.load_reference(args.xref, args.ncit_concepts)
    except terminology.ReferenceDataError as exc:
        say(f"error: {exc}")
        return 2
    records, summary = map_paths(args.inputs, ref)
    lines = write_ndjson(records, args.out)
    say(format_summary(summary))
    say(f"wrote {lines} line(s) to {args.out}")
    if summary["files_failed"] or (summary["files_read"] == 0):
        say("error: some inputs could not be read (see above)")
        return 1
    return 0
