"""Reading FHIR R4 JSON: files to units (a Bundle, or one bare resource), resources to rows.

Inputs: `.json` files holding one resource or a Bundle, and `.ndjson` files (FHIR bulk data:
one resource or Bundle a line). Anything that cannot be read is returned as a problem with
its file, location and reason; nothing is skipped without one.

Values are kept as the source wrote them; only non-string scalars and structures found
where text is expected are written as their JSON text, so nothing is lost.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SUPPORTED = ("ServiceRequest", "Patient", "Encounter")
INPUT_SUFFIXES = (".json", ".ndjson")


@dataclass
class Unit:
    """Resources read together: references between them are resolved within the unit."""

    source_file: str
    bundle_id: str | None
    entries: list[tuple[int | None, str | None, dict[str, Any]]]  # (entry index, fullUrl, res)
    location: str = ""  # "line 3" for NDJSON input


@dataclass
class ReadResult:
    units: list[Unit] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    files_read: int = 0
    files_failed: int = 0


def problem(source_file: str, reason: str, where: str = "", **extra: Any) -> dict[str, Any]:
    return {"source_file": source_file, "where": where or None, "reason": reason, **extra}


def text(value: Any) -> str | None:
    """A value as text: strings unchanged, other values as JSON text, absent as None."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------- files


def expand_paths(paths: list[str | Path]) -> tuple[list[tuple[Path, str]], list[dict[str, Any]]]:
    """Input files with the name they are reported under, plus problems for unusable paths.

    A folder is searched recursively; its files are named relative to the folder's parent
    (`regression/bundle.json`), a file by its own name, so output does not depend on where
    the inputs sit on disk.
    """
    files: list[tuple[Path, str]] = []
    problems: list[dict[str, Any]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                name = child.relative_to(path.parent).as_posix()
                if child.suffix.lower() in INPUT_SUFFIXES:
                    files.append((child, name))
                else:
                    problems.append(problem(name, "not a .json or .ndjson file: not read"))
        elif path.is_file():
            files.append((path, path.name))
        else:
            problems.append(problem(str(raw), "no such file or folder"))
    return files, problems


def _units_from_json(doc: Any, name: str, location: str, out: ReadResult) -> None:
    if isinstance(doc, list):
        out.problems.append(problem(name, "a JSON list, not a FHIR resource", location))
        return
    if not isinstance(doc, dict) or not isinstance(doc.get("resourceType"), str):
        out.problems.append(problem(name, "not a FHIR resource (no resourceType)", location))
        return
    if doc["resourceType"] != "Bundle":
        out.units.append(Unit(name, None, [(None, None, doc)], location))
        return
    entries: list[tuple[int | None, str | None, dict[str, Any]]] = []
    for index, entry in enumerate(_list(doc.get("entry"))):
        resource = _dict(entry).get("resource")
        where = f"{location + ' ' if location else ''}entry[{index}]"
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            out.problems.append(problem(name, "bundle entry without a resource", where))
            continue
        full_url = _dict(entry).get("fullUrl")
        entries.append((index, full_url if isinstance(full_url, str) else None, resource))
    out.units.append(Unit(name, text(doc.get("id")), entries, location))


def read_units(paths: list[str | Path]) -> ReadResult:
    """Every input file read into units; unreadable files and lines become problems."""
    files, problems = expand_paths(paths)
    out = ReadResult(problems=problems)
    out.files_failed = sum(1 for p in problems if p["reason"] == "no such file or folder")
    for path, name in files:
        try:
            content = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            out.problems.append(problem(name, f"unreadable file: {exc}"))
            out.files_failed += 1
            continue
        if not content.strip():
            out.problems.append(problem(name, "empty file"))
            out.files_failed += 1
            continue
        if path.suffix.lower() == ".ndjson":
            out.files_read += 1
            for number, line in enumerate(content.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    doc = json.loads(line)
                except json.JSONDecodeError as exc:
                    out.problems.append(problem(name, f"invalid JSON: {exc.msg}", f"line {number}"))
                    continue
                _units_from_json(doc, name, f"line {number}", out)
            continue
        try:
            doc = json.loads(content)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            out.problems.append(problem(name, f"invalid JSON: {exc.msg}", where))
            out.files_failed += 1
            continue
        out.files_read += 1
        _units_from_json(doc, name, "", out)
    return out


# ---------------------------------------------------------------------------- references


class Resolver:
    """Resolves references inside one unit: `Type/id`, absolute URLs, `urn:uuid:` fullUrls."""

    def __init__(self, unit: Unit) -> None:
        self.by_full_url: dict[str, tuple[str, str | None]] = {}
        for _, full_url, resource in unit.entries:
            if full_url:
                kind = resource["resourceType"]
                self.by_full_url[full_url] = (kind, resource_id(resource, full_url))

    def resolve(self, ref_obj: Any, expected_type: str) -> tuple[str | None, str | None]:
        """(id of the referenced `expected_type` resource or None, the raw reference text)."""
        raw = _dict(ref_obj).get("reference")
        if not isinstance(raw, str) or not raw.strip():
            return None, text(raw)
        ref = raw.strip()
        if ref in self.by_full_url:
            kind, rid = self.by_full_url[ref]
            return (rid if kind == expected_type else None), raw
        if ref.startswith(("#", "urn:")):
            return None, raw
        parts = ref.split("/_history/")[0].rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2] == expected_type and parts[-1]:
            return parts[-1], raw
        return None, raw


def resource_id(resource: dict[str, Any], full_url: str | None) -> str | None:
    """The resource's id; without one, its bundle fullUrl (e.g. `urn:uuid:...`)."""
    rid = text(resource.get("id"))
    if rid is not None and rid.strip():
        return rid
    return full_url


def _first_identifier(resource: dict[str, Any]) -> tuple[str | None, str | None]:
    for ident in _list(resource.get("identifier")):
        ident = _dict(ident)
        if ident.get("value") is not None:
            return text(ident.get("system")), text(ident.get("value"))
    return None, None


def _last_updated(resource: dict[str, Any]) -> str | None:
    return text(_dict(resource.get("meta")).get("lastUpdated"))


# ---------------------------------------------------------------------------- rows


def patient_row(resource: dict[str, Any], rid: str | None, unit: Unit) -> dict[str, Any]:
    ident_system, ident_value = _first_identifier(resource)
    return {
        "patient_id": rid,
        "birth_date": text(resource.get("birthDate")),
        "gender": text(resource.get("gender")),
        "active": text(resource.get("active")),
        "deceased_at": text(resource.get("deceasedDateTime")),
        "identifier_system": ident_system,
        "identifier_value": ident_value,
        "last_updated": _last_updated(resource),
        "source_file": unit.source_file,
        "bundle_id": unit.bundle_id,
    }


def _encounter_class(value: Any) -> tuple[str | None, str | None]:
    """(code, system) of Encounter.class: a Coding in R4, a CodeableConcept list in R5."""
    if isinstance(value, list):
        first = _dict(value[0]) if value else {}
        value = (_list(first.get("coding")) or [{}])[0]
    coding = _dict(value)
    return text(coding.get("code")), text(coding.get("system"))


def encounter_row(
    resource: dict[str, Any], rid: str | None, unit: Unit, resolver: Resolver
) -> dict[str, Any]:
    patient_id, subject_ref = resolver.resolve(resource.get("subject"), "Patient")
    class_code, class_system = _encounter_class(resource.get("class"))
    period = _dict(resource.get("period"))
    return {
        "encounter_id": rid,
        "patient_id": patient_id,
        "status": text(resource.get("status")),
        "class": class_code,
        "class_system": class_system,
        "period_start": text(period.get("start")),
        "period_end": text(period.get("end")),
        "subject_reference": subject_ref,
        "last_updated": _last_updated(resource),
        "source_file": unit.source_file,
        "bundle_id": unit.bundle_id,
    }


def codings(resource: dict[str, Any]) -> list[Any]:
    """ServiceRequest.code.coding as a list (absent -> empty)."""
    return _list(_dict(resource.get("code")).get("coding"))


def service_request_row(
    resource: dict[str, Any], rid: str | None, unit: Unit, entry_index: int | None,
    resolver: Resolver,
) -> dict[str, Any]:
    patient_id, subject_ref = resolver.resolve(resource.get("subject"), "Patient")
    encounter_id, encounter_ref = resolver.resolve(resource.get("encounter"), "Encounter")
    code = _dict(resource.get("code"))
    occurrence = resource.get("occurrenceDateTime")
    if occurrence is None:
        occurrence = _dict(resource.get("occurrencePeriod")).get("start")
    ident_system, ident_value = _first_identifier(resource)
    description = resource.get("description")
    return {
        "sr_id": rid,
        "patient_id": patient_id,
        "encounter_id": encounter_id,
        "status": text(resource.get("status")),
        "intent": text(resource.get("intent")),
        "priority": text(resource.get("priority")),
        "description": text(description if description is not None else code.get("text")),
        "code_text": text(code.get("text")),
        "ordered_at": text(resource.get("authoredOn")),
        "occurrence_start": text(occurrence),
        "subject_reference": subject_ref,
        "encounter_reference": encounter_ref,
        "requester_reference": text(_dict(resource.get("requester")).get("reference")),
        "identifier_system": ident_system,
        "identifier_value": ident_value,
        "code_count": len(codings(resource)),
        "last_updated": _last_updated(resource),
        "source_file": unit.source_file,
        "bundle_id": unit.bundle_id,
        "entry_index": entry_index,
    }

