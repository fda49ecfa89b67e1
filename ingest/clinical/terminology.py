"""Code systems, NCIt identifiers, the cross-reference seed, and one mapping decision per code.

A code is mapped to an NCIt concept by these rules, first match wins:

1. system or code absent (or blank)            -> unmapped, no_match, `missing_system_or_code`
2. system not a registered code system          -> unmapped, no_match, `unknown_code_system`
3. system is NCIt, code a valid NCIt id         -> rule, score 1.0, `ncit_system_identity`
   system is NCIt, code not an NCIt id          -> unmapped, no_match, `invalid_ncit_code`
4. (system, code) in the cross-reference        -> the row's strategy and score; the state
   follows the thresholds; `xref_match`, or `score_below_threshold` when the score is under
   the review threshold (then ncit_id and cui are null)
5. otherwise                                    -> unmapped, no_match, `no_xref_for_code`

System URLs are compared after normalization (trimmed, lower-cased, `https` read as `http`,
trailing `/` dropped, registered aliases such as OIDs resolved), so `HTTP://SNOMED.INFO/SCT`
is SNOMED CT. NCIt ids are written as found (`NCIT:C19951`, `C19951`, an OBO URL): the output
keeps the raw value and `ncit_key` gives the bare form (`C19951`) for joining.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.config import PROJECT_ROOT

MAPPER_VERSION = "1"
AUTO_MAP_MIN = 0.95
REVIEW_MIN = 0.60
THRESHOLDS = {"auto_map": AUTO_MAP_MIN, "review": REVIEW_MIN}
STRATEGIES = ("lexical", "vector", "rule", "composite", "manual", "unmapped")
STATES = ("auto_mapped", "needs_review", "no_match")
REASONS = (
    "xref_match",
    "ncit_system_identity",
    "score_below_threshold",
    "no_xref_for_code",
    "unknown_code_system",
    "missing_system_or_code",
    "invalid_ncit_code",
)
# Score given to cross-reference rows read from a JSON file that carries no score of its own
# (a direct terminology cross-reference, e.g. a UMLS xref list): high enough to auto-map.
DIRECT_XREF_SCORE = 0.99

SEED_DIR = PROJECT_ROOT / "seeds" / "clinical"
DEFAULT_XREF = SEED_DIR / "ncit_code_xref.csv"
DEFAULT_CONCEPTS = SEED_DIR / "ncit_concepts.csv"

NCIT = "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
CPT = "http://www.ama-assn.org/go/cpt"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"

CODE_SYSTEMS: dict[str, str] = {
    SNOMED: "SNOMED CT",
    LOINC: "LOINC",
    CPT: "CPT",
    NCIT: "NCI Thesaurus",
    ICD10CM: "ICD-10-CM",
    ICD10PCS: "ICD-10-PCS",
}
_ALIASES: dict[str, str] = {
    "urn:oid:2.16.840.1.113883.6.96": SNOMED,
    "urn:oid:2.16.840.1.113883.6.1": LOINC,
    "urn:oid:2.16.840.1.113883.6.12": CPT,
    "urn:oid:2.16.840.1.113883.3.26.1.1": NCIT,
    "http://purl.obolibrary.org/obo/ncit": NCIT,
    "http://purl.obolibrary.org/obo/ncit.owl": NCIT,
    "http://ncithesaurus.nci.nih.gov": NCIT,
    "urn:oid:2.16.840.1.113883.6.90": ICD10CM,
    "urn:oid:2.16.840.1.113883.6.4": ICD10PCS,
}

_NCIT_ID = re.compile(
    r"^(?:(?:https?://purl\.obolibrary\.org/obo/)?ncit[_:]"
    r"|https?://ncicb\.nci\.nih\.gov/xml/owl/evs/thesaurus\.owl#)?(c\d+)$",
    re.IGNORECASE,
)


class ReferenceDataError(ValueError):
    """A cross-reference or concept file is unusable; the message names file, line and why."""


def system_key(raw: Any) -> str | None:
    """Normalized form of a system URL, or None when absent or blank."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    key = raw.strip().lower()
    if key.startswith("https://"):
        key = "http://" + key[len("https://") :]
    return key.rstrip("/") or None


_CANONICAL = {system_key(url): url for url in CODE_SYSTEMS} | _ALIASES


def canonical_system(raw: Any) -> str | None:
    """The registered canonical URL for a system as written in a source, or None."""
    key = system_key(raw)
    return _CANONICAL.get(key) if key else None


def ncit_key(raw: Any) -> str | None:
    """Bare NCIt code (`C19951`) from `C19951`, `NCIT:C19951`, an OBO or Thesaurus URL."""
    if not isinstance(raw, str):
        return None
    match = _NCIT_ID.match(raw.strip())
    return match.group(1).upper() if match else None


def classify(score: float) -> str:
    """State for a score: >= 0.95 auto_mapped, >= 0.60 needs_review, else no_match."""
    if score >= AUTO_MAP_MIN:
        return "auto_mapped"
    if score >= REVIEW_MIN:
        return "needs_review"
    return "no_match"


def file_version(path: Path) -> str:
    """Content version of a reference file: `sha256:` and the first 12 hex digits."""
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class Xref:
    system: str
    code: str
    ncit_id: str
    cui: str | None
    score: float
    strategy: str


@dataclass
class Reference:
    """Everything a mapping decision reads: cross-references, concepts, their versions."""

    xrefs: dict[tuple[str, str], Xref] = field(default_factory=dict)
    concepts: dict[str, dict[str, Any]] = field(default_factory=dict)
    source_versions: dict[str, str] = field(default_factory=dict)


def _blank_to_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _xref(row: dict[str, Any], where: str) -> Xref:
    system = canonical_system(row.get("system"))
    if system is None:
        raise ReferenceDataError(f"{where}: system {row.get('system')!r} is not a registered "
                                 f"code system ({', '.join(CODE_SYSTEMS)})")
    code = _blank_to_none(row.get("code"))
    if code is None:
        raise ReferenceDataError(f"{where}: code is empty")
    ncit_id = _blank_to_none(row.get("ncit_id"))
    if ncit_key(ncit_id) is None:
        raise ReferenceDataError(f"{where}: ncit_id {ncit_id!r} is not an NCIt id (C<digits>)")
    raw_score = row.get("score")
    try:
        score = DIRECT_XREF_SCORE if raw_score is None else float(raw_score)
    except (TypeError, ValueError):
        raise ReferenceDataError(f"{where}: score {raw_score!r} is not a number") from None
    if not 0.0 <= score <= 1.0:
        raise ReferenceDataError(f"{where}: score {score} is outside 0..1")
    strategy = _blank_to_none(row.get("strategy")) or "rule"
    if strategy not in STRATEGIES or strategy == "unmapped":
        raise ReferenceDataError(
            f"{where}: strategy {strategy!r} is not one of {', '.join(STRATEGIES[:-1])}"
        )
    return Xref(system, code, ncit_id, _blank_to_none(row.get("cui")), score, strategy)


def _read_rows(path: Path, required: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    """Rows of a CSV (header required) or a JSON list of objects, each with its location."""
    if not path.is_file():
        raise ReferenceDataError(f"{path}: reference file not found")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise ReferenceDataError(f"{path.name}: expected a JSON list of objects")
            rows = [(f"{path.name}: item {i}", r) for i, r in enumerate(data)]
            columns = set(required).intersection(*(r.keys() for _, r in rows))
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                columns = set(reader.fieldnames or [])
                rows = []
                for r in reader:
                    where = f"{path.name}: line {reader.line_num}"
                    if None in r or None in r.values():
                        raise ReferenceDataError(f"{where}: field count differs from the header")
                    rows.append((where, dict(r)))
    except (UnicodeDecodeError, json.JSONDecodeError, csv.Error) as exc:
        raise ReferenceDataError(f"{path.name}: unreadable: {exc}") from None
    missing = [c for c in required if c not in columns]
    if missing:
        raise ReferenceDataError(f"{path.name}: missing column(s) {missing}")
    return rows


def load_xrefs(path: Path) -> dict[tuple[str, str], Xref]:
    """Cross-reference rows keyed by (canonical system, code); duplicates are an error."""
    out: dict[tuple[str, str], Xref] = {}
    for where, row in _read_rows(path, ("system", "code", "ncit_id")):
        xref = _xref(row, where)
        key = (xref.system, xref.code)
        if key in out:
            raise ReferenceDataError(f"{where}: duplicate cross-reference for {key}")
        out[key] = xref
    return out


def load_concepts(path: Path) -> dict[str, dict[str, Any]]:
    """NCIt concepts keyed by bare NCIt code; rows keep the id as written."""
    out: dict[str, dict[str, Any]] = {}
    for where, row in _read_rows(path, ("ncit_id", "preferred_name")):
        key = ncit_key(row.get("ncit_id"))
        if key is None:
            raise ReferenceDataError(f"{where}: ncit_id {row.get('ncit_id')!r} is not an NCIt id")
        if key in out:
            raise ReferenceDataError(f"{where}: duplicate concept {key}")
        name = _blank_to_none(row.get("preferred_name"))
        if name is None:
            raise ReferenceDataError(f"{where}: preferred_name is empty")
        out[key] = {
            "ncit_id": str(row["ncit_id"]).strip(),
            "preferred_name": name,
            "semantic_group": _blank_to_none(row.get("semantic_group")),
        }
    return out


def load_reference(
    xref_paths: list[Path] | None = None, concept_paths: list[Path] | None = None
) -> Reference:
    """The seed files plus any extra files; a later file's row replaces an earlier one's."""
    ref = Reference(source_versions={"mapper": MAPPER_VERSION})
    for path in [DEFAULT_XREF, *(xref_paths or [])]:
        ref.xrefs.update(load_xrefs(Path(path)))
        ref.source_versions[Path(path).name] = file_version(Path(path))
    for path in [DEFAULT_CONCEPTS, *(concept_paths or [])]:
        ref.concepts.update(load_concepts(Path(path)))
        ref.source_versions[Path(path).name] = file_version(Path(path))
    return ref


def map_code(code_element_id: str, system: Any, code: Any, ref: Reference) -> dict[str, Any]:
    """The mapping row for one code (see the module docstring for the rules)."""

    def row(
        reason: str, score: float = 0.0, strategy: str = "unmapped",
        ncit_id: str | None = None, cui: str | None = None,
    ) -> dict[str, Any]:
        state = classify(score)
        if state == "no_match":
            ncit_id, cui = None, None
        return {
            "code_element_id": code_element_id,
            "cui": cui,
            "ncit_id": ncit_id,
            "score": score,
            "strategy": strategy,
            "state": state,
            "thresholds": dict(THRESHOLDS),
            "source_versions": dict(ref.source_versions),
            "reason": reason,
        }

    code_text = code.strip() if isinstance(code, str) else None
    if system_key(system) is None or not code_text:
        return row("missing_system_or_code")
    canonical = canonical_system(system)
    if canonical is None:
        return row("unknown_code_system")
    if canonical == NCIT:
        if ncit_key(code_text) is None:
            return row("invalid_ncit_code")
        return row("ncit_system_identity", 1.0, "rule", ncit_id=code)
    xref = ref.xrefs.get((canonical, code_text))
    if xref is None:
        return row("no_xref_for_code")
    reason = "xref_match" if classify(xref.score) != "no_match" else "score_below_threshold"
    return row(reason, xref.score, xref.strategy, ncit_id=xref.ncit_id, cui=xref.cui)
