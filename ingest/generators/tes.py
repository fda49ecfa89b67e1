"""TES value-set publications, eCR jurisdictions and Refiner configurations (synthetic).

Writes files in the shapes the real publications have, one folder per release:

    release_001/condition_grouper_1.0.0.json           {metadata, valuesets}: condition groupers
    release_001/reporting_spec_grouper_20250115.json   reporting-spec groupers (codes)
    release_001/additional_context_grouper_1.0.0.json  groupers of another type (referenced too)
    release_001/eCR_Jurisdictions.csv                  RoutingCode,Jurisdiction
    release_001/configurations_20250115.json           the Refiner's configuration shape
    release_001/configurations_20250115.csv            one configuration per row
    release_002/...                                    the next quarter's versions and changes

Each release publishes a new condition grouper version (`<release>.0.0`) of every condition;
about a quarter of the reporting-spec groupers get a new version (dated) with changed codes,
the rest keep theirs. Configurations either pin a condition grouper version (JSON, activated
per SNOMED code), pin a reporting-spec grouper version, or follow the latest (CSV, blank
version). Later releases change some configurations (a new version with other extra codes)
and deactivate a few. Release r depends only on (scale, seed, r): generating more releases
later adds folders and leaves the earlier ones byte for byte as they were. `--dirty` mixes in
a handful of defects, counted in `manifest.json`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from ingest import config
from ingest.log import say

BASE_URL = "https://tes.example.org/fhir/ValueSet/"
FIRST_RELEASE = date(2025, 1, 15)
RELEASE_DAYS = 91
CONDITIONS_PER_SCALE = 40
JURISDICTIONS_PER_SCALE = 12
MANIFEST = "manifest.json"
SYSTEMS = {
    "loinc": "http://loinc.org",
    "snomed": "http://snomed.info/sct",
    "icd10": "http://hl7.org/fhir/sid/icd-10-cm",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "cpt": "http://www.ama-assn.org/go/cpt",
    "interpretation": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
}
CONDITION_NAMES = (
    "Anthrax", "Botulism", "Brucellosis", "Campylobacteriosis", "Chikungunya", "Cholera",
    "Coccidioidomycosis", "COVID-19", "Cryptosporidiosis", "Cyclosporiasis", "Dengue",
    "Diphtheria", "Ehrlichiosis", "Giardiasis", "Gonorrhea", "Haemophilus influenzae",
    "Hantavirus", "Hepatitis A", "Hepatitis B", "Hepatitis C", "Influenza", "Legionellosis",
    "Leptospirosis", "Listeriosis", "Lyme disease", "Malaria", "Measles", "Meningococcal disease",
    "Mpox", "Mumps", "Pertussis", "Plague", "Polio", "Psittacosis", "Q fever", "Rabies",
    "Rubella", "Salmonellosis", "Shigellosis", "Smallpox", "Syphilis", "Tetanus",
    "Toxoplasmosis", "Trichinellosis", "Tuberculosis", "Tularemia", "Typhoid fever",
    "Varicella", "Vibriosis", "West Nile virus", "Yellow fever", "Zika virus",
)
JURISDICTIONS = (
    ("AK", "Alaska"), ("AL", "Alabama"), ("AZ", "Arizona"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("FL", "Florida"),
    ("GA", "Georgia"), ("IA", "Iowa"), ("ID", "Idaho"), ("IL", "Illinois"), ("KS", "Kansas"),
    ("LAC", "Los Angeles County, CA"), ("MA", "Massachusetts"), ("MD", "Maryland"),
    ("MN", "Minnesota"), ("NC", "North Carolina"), ("NYC", "New York City"), ("OH", "Ohio"),
    ("OR", "Oregon"), ("PHL", "Philadelphia, PA"), ("TX", "Texas"), ("UT", "Utah"),
    ("VA", "Virginia"), ("WA", "Washington"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
)
DEFECTS = (
    "concept_without_code", "duplicate_concept", "reference_without_version",
    "not_a_valueset", "include_by_filter", "unparseable_configuration_version",
    "blank_routing_code", "reference_to_unpublished_grouper",
)


# ----------------------------------------------------------------------------------------------
# the evolving state
# ----------------------------------------------------------------------------------------------

@dataclass
class ReportingSpecGrouper:
    snomed_code: str
    title: str
    version: str
    published: date
    codes: list[tuple[str, str]]  # (system key, code)

    @property
    def url(self) -> str:
        return f"{BASE_URL}rs-grouper-{self.snomed_code}"


@dataclass
class Condition:
    url: str
    name: str
    title: str
    children: list[ReportingSpecGrouper]
    context_url: str | None  # an additional-context grouper it references


@dataclass
class Configuration:
    configuration_id: str
    jurisdiction_id: str
    version: int
    shape: str  # "json" (pins a condition grouper version) or "csv" (names a child)
    condition: Condition
    child: ReportingSpecGrouper
    pinned_version: str | None  # json: condition grouper version; csv: child version or None
    extra_codes: list[tuple[str, str]]
    is_active: bool = True
    display_name_override: str | None = None


@dataclass
class State:
    conditions: list[Condition]
    jurisdictions: list[tuple[str, str]]
    configurations: list[Configuration] = field(default_factory=list)


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _code(rng: random.Random, system: str) -> str:
    if system == "loinc":
        return f"{rng.randint(1000, 99999)}-{rng.randint(0, 9)}"
    if system == "snomed":
        return str(rng.randint(100000, 999999999))
    if system == "icd10":
        letter = rng.choice("ABCDEGJKNRZ")
        return f"{letter}{rng.randint(0, 99):02d}.{rng.randint(0, 99)}"
    if system == "rxnorm":
        return str(rng.randint(10000, 2999999))
    if system == "cpt":
        return str(rng.randint(10000, 99999))
    return rng.choice(("POS", "DET", "A", "H", "L", "NEG", "IND", "WR", "ABN", "RR"))


def _codes(rng: random.Random, n: int) -> list[tuple[str, str]]:
    weights = {"loinc": 40, "snomed": 30, "icd10": 15, "rxnorm": 8, "cpt": 4, "interpretation": 3}
    out: dict[tuple[str, str], None] = {}
    while len(out) < n:
        system = rng.choices(list(weights), weights=list(weights.values()))[0]
        out[(system, _code(rng, system))] = None
    return sorted(out)


def release_date(release: int) -> date:
    return FIRST_RELEASE + timedelta(days=RELEASE_DAYS * (release - 1))


def initial_state(scale: float, seed: int) -> State:
    rng = _rng(seed, "universe")
    n_conditions = max(3, round(CONDITIONS_PER_SCALE * scale))
    used_snomed: set[str] = set()
    conditions = []
    for i in range(n_conditions):
        base = CONDITION_NAMES[i % len(CONDITION_NAMES)]
        title = base if i < len(CONDITION_NAMES) else f"{base} ({i // len(CONDITION_NAMES) + 1})"
        children = []
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            snomed = _code(rng, "snomed")
            while snomed in used_snomed:
                snomed = _code(rng, "snomed")
            used_snomed.add(snomed)
            children.append(ReportingSpecGrouper(
                snomed, title, release_date(1).strftime("%Y%m%d"), release_date(1),
                _codes(rng, rng.randint(15, 120))))
        context = f"{BASE_URL}{_uuid(rng)}" if rng.random() < 0.4 else None
        name = "".join(ch for ch in title.title() if ch.isalnum())
        conditions.append(Condition(f"{BASE_URL}{_uuid(rng)}", name, title, children, context))
    n_jur = max(3, min(len(JURISDICTIONS), round(JURISDICTIONS_PER_SCALE * scale)))
    jurisdictions = sorted(rng.sample(JURISDICTIONS, n_jur))
    state = State(conditions, jurisdictions)
    number = 1000
    for jurisdiction_id, _name in jurisdictions:
        for condition in rng.sample(conditions, min(len(conditions), rng.randint(2, 5))):
            number += 1
            child = rng.choice(condition.children)
            shape = "json" if number % 2 else "csv"
            pinned = "1.0.0" if shape == "json" else (
                child.version if rng.random() < 0.5 else None)
            extras = _codes(rng, rng.randint(0, 4))
            override = f"{condition.title} ({jurisdiction_id})" if rng.random() < 0.3 else None
            state.configurations.append(Configuration(
                f"{jurisdiction_id}-{number}", jurisdiction_id, 1, shape, condition, child,
                pinned, extras, True, override))
    return state


def advance(state: State, seed: int, release: int) -> list[Configuration]:
    """Move the state to `release` (>1): new grouper versions, configuration changes.

    Returns the configuration records the release publishes (changed or deactivated)."""
    rng = _rng(seed, "release", release)
    day = release_date(release)
    for condition in state.conditions:
        for child in condition.children:
            if rng.random() < 0.25:
                codes = list(child.codes)
                if len(codes) > 5:
                    codes.pop(rng.randrange(len(codes)))
                codes = sorted(set(codes) | set(_codes(rng, rng.randint(1, 3))))
                child.codes, child.version, child.published = codes, day.strftime("%Y%m%d"), day
    changed: list[Configuration] = []
    for conf in state.configurations:
        roll = rng.random()
        if conf.is_active and roll < 0.12:
            retired = Configuration(**{**conf.__dict__, "is_active": False})
            conf.version += 1
            conf.extra_codes = _codes(rng, rng.randint(1, 4))
            if conf.shape == "json":
                conf.pinned_version = f"{release}.0.0"
            changed += [retired, conf] if conf.shape == "csv" else [conf]
        elif conf.is_active and roll < 0.16:
            conf.is_active = False
            changed.append(conf)
    return changed


# ----------------------------------------------------------------------------------------------
# FHIR shapes
# ----------------------------------------------------------------------------------------------

def _meta(profile: str, release: int, day: date) -> dict:
    return {
        "versionId": "1",
        "lastUpdated": f"{day.isoformat()}T12:00:00.000+00:00",
        "profile": [f"http://aphl.org/fhir/vsm/StructureDefinition/{profile}"],
        "tag": [{
            "system": "http://hl7.org/fhir/Library#relatedArtifact.dependsOn",
            "code": f"https://tes.example.org/fhir/tes-content-library|{release}.0.0",
        }],
    }


def _grouper_type(code: str, display: str) -> dict:
    system = "http://aphl.org/fhir/vsm/CodeSystem/usage-context-type"
    return {
        "code": {"system": system, "code": "grouper-type"},
        "valueCodeableConcept": {
            "coding": [{"system": system, "code": code, "display": display}], "text": display,
        },
    }


def _compose(codes: list[tuple[str, str]]) -> dict:
    by_system: dict[str, list[dict]] = {}
    for system, code in codes:
        by_system.setdefault(system, []).append(
            {"code": code, "display": f"Synthetic {system} concept {code}"})
    return {"include": [{"system": SYSTEMS[s], "concept": c} for s, c in by_system.items()]}


def reporting_spec_valueset(child: ReportingSpecGrouper, release: int) -> dict:
    return {
        "resourceType": "ValueSet",
        "id": f"rsg-{child.snomed_code}-{child.version}",
        "meta": _meta("vsm-reportingspecificationgroupervalueset", release, child.published),
        "url": child.url,
        "version": child.version,
        "name": f"ReportingSpecificationGrouper{child.snomed_code}",
        "title": child.title,
        "status": "active",
        "experimental": False,
        "date": f"{child.published.isoformat()}T09:00:00-05:00",
        "publisher": "Synthetic Reportable Conditions Knowledge Management",
        "description": f"Synthetic codes associated with the {child.title} condition",
        "useContext": [
            _grouper_type("reporting-specification-grouper", "Reporting Specification Grouper"),
            {
                "code": {"system": "http://terminology.hl7.org/CodeSystem/usage-context-type",
                         "code": "focus", "display": "Clinical Focus"},
                "valueCodeableConcept": {
                    "coding": [{"system": SYSTEMS["snomed"], "code": child.snomed_code}],
                    "text": child.title,
                },
            },
        ],
        "compose": _compose(child.codes),
    }


def condition_valueset(condition: Condition, release: int) -> dict:
    day = release_date(release)
    refs = [f"{c.url}|{c.version}" for c in condition.children]
    if condition.context_url:
        refs.append(f"{condition.context_url}|{release}.0.0")
    return {
        "resourceType": "ValueSet",
        "id": f"cg-{condition.name.lower()}-{release}",
        "meta": _meta("vsm-conditiongroupervalueset", release, day),
        "url": condition.url,
        "version": f"{release}.0.0",
        "name": condition.name,
        "title": condition.title,
        "status": "active",
        "experimental": False,
        "date": f"{day.isoformat()}T16:00:00-06:00",
        "publisher": "Synthetic Association of Public Health Laboratories",
        "description": f"The set of all codes from value sets used in Reporting Specifications "
                       f"that are associated with the '{condition.title}' condition.",
        "useContext": [_grouper_type("condition-grouper", "Condition Grouper")],
        "compose": {"include": [{"valueSet": [r]} for r in refs]},
    }


def context_valueset(condition: Condition, release: int, seed: int) -> dict:
    rng = _rng(seed, "context", condition.url, release)
    day = release_date(release)
    return {
        "resourceType": "ValueSet",
        "id": f"acg-{condition.name.lower()}-{release}",
        "meta": _meta("vsm-additionalcontextgroupervalueset", release, day),
        "url": condition.context_url,
        "version": f"{release}.0.0",
        "name": f"{condition.name}AdditionalContext",
        "title": f"{condition.title} additional context",
        "status": "active",
        "date": f"{day.isoformat()}T16:00:00-06:00",
        "useContext": [_grouper_type("additional-context-grouper", "Additional Context Grouper")],
        "compose": _compose(_codes(rng, rng.randint(3, 10))),
    }


# ----------------------------------------------------------------------------------------------
# configurations
# ----------------------------------------------------------------------------------------------

def _addition_lists(codes: list[tuple[str, str]]) -> dict[str, list[dict]]:
    lists: dict[str, list[dict]] = {
        "loinc_codes_additions": [], "snomed_codes_additions": [], "icd10_codes_additions": [],
        "rxnorm_codes_additions": [], "custom_codes": [],
    }
    for system, code in codes:
        key = f"{system}_codes_additions" if f"{system}_codes_additions" in lists else None
        if key:
            lists[key].append({"code": code, "display": f"Synthetic {system} concept {code}"})
        else:
            lists["custom_codes"].append({"code": f"{system.upper()}-{code}",
                                          "display": "Local code", "description": "Local code"})
    return lists


def configurations_json(confs: list[Configuration], jurisdictions: list[tuple[str, str]],
                        day: date) -> dict:
    entries, activations = [], []
    for conf in confs:
        entries.append({
            "family_id": conf.configuration_id,
            "version": conf.version,
            "name": f"{conf.condition.title} surveillance",
            "jurisdiction_id": conf.jurisdiction_id,
            "description": f"Configuration for monitoring {conf.condition.title}.",
            "display_name_override": conf.display_name_override,
            "included_conditions": [
                {"canonical_url": conf.condition.url, "version": conf.pinned_version}],
            **_addition_lists(conf.extra_codes),
            "sections_to_include": [],
            "cloned_from_configuration_id": None,
        })
        activations.append({
            "jurisdiction_id": conf.jurisdiction_id,
            "snomed_code": conf.child.snomed_code,
            "configuration_family_id": conf.configuration_id,
            "configuration_version": conf.version,
            "activated_at": f"{day.isoformat()}T08:00:00Z",
            "deactivated_at": None if conf.is_active else f"{day.isoformat()}T08:00:00Z",
        })
    return {
        "jurisdictions": [{"id": j, "name": n, "state_code": j[:2]} for j, n in jurisdictions],
        "configurations": entries,
        "activations": activations,
    }


CSV_COLUMNS = ("configuration_id", "version", "jurisdiction_id", "name", "display_name_override",
               "is_active", "child_grouper_url", "child_grouper_version", "extra_codes",
               "updated_at")


def configurations_csv(confs: list[Configuration], day: date) -> list[list[str]]:
    rows = []
    for conf in confs:
        rows.append([
            conf.configuration_id, str(conf.version), conf.jurisdiction_id,
            f"{conf.condition.title} surveillance", conf.display_name_override or "",
            "true" if conf.is_active else "false", conf.child.url, conf.pinned_version or "",
            ";".join(f"{s if s in ('loinc', 'snomed', 'icd10', 'rxnorm') else SYSTEMS[s]}|{c}"
                     for s, c in conf.extra_codes),
            f"{day.isoformat()}T08:00:00",
        ])
    return rows


# ----------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------

def _write_json(path: Path, doc) -> int:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(doc["valuesets"]) if isinstance(doc, dict) and "valuesets" in doc else 1


def _write_csv(path: Path, header: tuple[str, ...], rows: list[list[str]]) -> int:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return len(rows)


def _dirty_valuesets(rs_docs: list[dict], cg_docs: list[dict], defects: dict[str, int]) -> None:
    """Release 1 only: one of each ValueSet defect, counted."""
    first = rs_docs[0]["compose"]["include"][0]
    first["concept"].append({"display": "a concept without a code"})
    defects["concept_without_code"] += 1
    first["concept"].append(dict(first["concept"][0]))
    defects["duplicate_concept"] += 1
    rs_docs[0]["compose"]["include"].append(
        {"system": SYSTEMS["snomed"], "filter": [{"property": "concept", "op": "is-a",
                                                  "value": "840539006"}]})
    defects["include_by_filter"] += 1
    cg_docs[0]["compose"]["include"].append({"valueSet": [f"{BASE_URL}rs-grouper-000000"]})
    defects["reference_without_version"] += 1
    cg_docs[-1]["compose"]["include"].append(
        {"valueSet": [f"{BASE_URL}{uuid.UUID(int=7, version=4)}|1.0.0"]})
    defects["reference_to_unpublished_grouper"] += 1
    cg_docs.append({"resourceType": "CodeSystem", "id": "not-a-valueset",
                    "url": f"{BASE_URL}codesystem", "version": "1.0.0"})
    defects["not_a_valueset"] += 1


def write_release(out: Path, state: State, release: int, seed: int,
                  changed: list[Configuration], dirty: bool) -> dict:
    folder = out / f"release_{release:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    day = release_date(release)
    stamp = day.strftime("%Y%m%d")
    defects = dict.fromkeys(DEFECTS, 0)
    files: dict[str, int] = {}
    rs_docs = [reporting_spec_valueset(c, release) for cond in state.conditions
               for c in cond.children]
    cg_docs = [condition_valueset(c, release) for c in state.conditions]
    ctx_docs = [context_valueset(c, release, seed) for c in state.conditions if c.context_url]
    if dirty and release == 1:
        _dirty_valuesets(rs_docs, cg_docs, defects)
    for name, category, docs in (
        (f"condition_grouper_{release}.0.0.json", f"condition_grouper_{release}.0.0", cg_docs),
        (f"reporting_spec_grouper_{stamp}.json", f"reporting_spec_grouper_{stamp}", rs_docs),
        (f"additional_context_grouper_{release}.0.0.json",
         f"additional_context_grouper_{release}.0.0", ctx_docs),
    ):
        files[name] = _write_json(folder / name, {"metadata": {"category": category},
                                                  "valuesets": docs})
    if release == 1:
        rows = [list(j) for j in state.jurisdictions]
        if dirty:
            rows.append(["", "A jurisdiction without a routing code"])
            defects["blank_routing_code"] += 1
        files["eCR_Jurisdictions.csv"] = _write_csv(
            folder / "eCR_Jurisdictions.csv", ("RoutingCode", "Jurisdiction"), rows)
    confs = state.configurations if release == 1 else changed
    json_confs = [c for c in confs if c.shape == "json"]
    csv_confs = [c for c in confs if c.shape == "csv"]
    if json_confs:
        name = f"configurations_{stamp}.json"
        doc = configurations_json(json_confs, state.jurisdictions if release == 1 else [], day)
        files[name] = _write_json(folder / name, doc)
    if csv_confs:
        rows = configurations_csv(csv_confs, day)
        if dirty and release == 1:
            rows.append([*rows[0][:1], "v2", *rows[0][2:]])
            defects["unparseable_configuration_version"] += 1
        name = f"configurations_{stamp}.csv"
        files[name] = _write_csv(folder / name, CSV_COLUMNS, rows)
    return {"release": release, "date": day.isoformat(), "files": files,
            "defects": {k: v for k, v in defects.items() if v}}


def generate(out: Path, scale: float = 1.0, seed: int = 42, releases: int = 2,
             dirty: bool = False) -> dict:
    """Write `releases` releases under `out`; return what was written (also in manifest.json)."""
    if scale <= 0:
        raise config.ConfigError(f"--scale must be positive, got {scale}")
    if releases < 1:
        raise config.ConfigError(f"--releases must be at least 1, got {releases}")
    out.mkdir(parents=True, exist_ok=True)
    state = initial_state(scale, seed)
    summaries = []
    for release in range(1, releases + 1):
        changed = advance(state, seed, release) if release > 1 else []
        summaries.append(write_release(out, state, release, seed, changed, dirty))
    manifest = {"generator": "tes", "scale": scale, "seed": seed, "releases": summaries,
                "dirty": dirty}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def default_out() -> Path:
    return config.data_dir() / "sample" / "tes"


def sample(scale: float, days: int, seed: int) -> None:
    """The demo's sample (domain registry): two releases at scale 0.05 or more in the
    default folder; `days` does not apply to quarterly releases."""
    generate(default_out(), scale=max(scale, 0.05), seed=seed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: $WAREHOUSE_DATA_DIR/sample/tes)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help=f"size: {CONDITIONS_PER_SCALE} conditions and "
                             f"{JURISDICTIONS_PER_SCALE} jurisdictions per 1.0 (default 1.0)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--releases", type=int, default=2,
                        help="quarterly releases to write, each with new versions (default 2)")
    parser.add_argument("--dirty", action="store_true",
                        help="mix a few defective records into release 1 (counted in manifest)")


def run(args: argparse.Namespace) -> int:
    out = args.out or default_out()
    manifest = generate(out, args.scale, args.seed, args.releases, args.dirty)
    for rel in manifest["releases"]:
        files = ", ".join(f"{k} ({v})" for k, v in rel["files"].items())
        say(f"release {rel['release']} ({rel['date']}): {files}")
    say(f"tes: wrote {len(manifest['releases'])} release(s) to {out}")
    return 0
