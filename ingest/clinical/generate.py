"""Deterministic synthetic FHIR R4 bundles of service requests, and their pipeline output.

Layout written under the output folder:

    bundles/bundle_00001.json ...   FHIR `collection` Bundles (Patients, Encounters,
                                    ServiceRequests, a Practitioner)
    pipeline_output.ndjson          the mapper's output for bundles/
    _manifest.json                  parameters, files, counts (written last)

Scale 1 is about 2,000 service requests (fractional scales work, at least one request).
The same scale and seed give byte-identical files; a folder already holding output for the
same parameters and reference data is reused, not rewritten.

Variety on purpose: every ServiceRequest status of FHIR R4 (a few upper-case, a few outside
the value set), several intents and priorities, requests without encounter, with an
encounter missing from the bundle, without subject, without codes; codes that auto-map,
need review, fall below the review threshold, have no cross-reference, come from NCIt
itself, from an unknown system, or lack system or code; system URLs in odd casing; entries
in shuffled order; references as `Patient/id` or `urn:uuid:`.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.clinical import terminology
from ingest.clinical.mapper import map_paths
from ingest.clinical.ndjson import write_ndjson
from ingest.clinical.terminology import CPT, ICD10PCS, LOINC, NCIT, SNOMED

GENERATOR_VERSION = "1"
REQUESTS_PER_SCALE = 2000
REQUESTS_PER_PATIENT = 4
PATIENTS_PER_BUNDLE = 20
BUNDLE_DIR = "bundles"
OUTPUT_FILE = "pipeline_output.ndjson"
MANIFEST_FILE = "_manifest.json"

OBO_NCIT = "http://purl.obolibrary.org/obo/NCIT"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_DAYS = 900

# (system, code, display) pools by what the mapper is expected to make of them
CODE_POOLS: dict[str, list[tuple[str | None, str | None, str]]] = {
    "auto": [
        (CPT, "78815", "PET with concurrently acquired CT, skull base to mid-thigh"),
        (SNOMED, "441567006", "PET-CT for neoplasm staging"),
        (LOINC, "24606-6", "FDG uptake PET"),
        (SNOMED, "82918005", "Positron emission tomography"),
        (SNOMED, "77477000", "Computerized axial tomography"),
    ],
    "review": [
        (CPT, "78608", "Brain imaging, PET, metabolic evaluation"),
        (SNOMED, "2460006", "Positron emission tomography of whole body"),
        (CPT, "78816", "PET with concurrently acquired CT, whole body"),
        (CPT, "78814", "PET with concurrently acquired CT, limited area"),
        (CPT, "78811", "PET imaging, limited area"),
        (CPT, "71250", "CT thorax without contrast"),
        (CPT, "74177", "CT abdomen and pelvis with contrast"),
        (CPT, "78813", "PET imaging, whole body"),
    ],
    "below": [(LOINC, "30746-2", "Portable XR Chest Views")],
    "no_xref": [
        (LOINC, "24321-2", "Basic metabolic 2000 panel - Serum or Plasma"),
        (LOINC, "58410-2", "CBC panel - Blood by Automated count"),
        (LOINC, "45033-8", "Cardiovascular physiologic and EKG assessment panel"),
        (SNOMED, "24165007", "Alcoholism counseling"),
        (ICD10PCS, "HZ30ZZZ", "Individual counseling for substance abuse treatment"),
    ],
    "ncit": [
        (OBO_NCIT, "C19951", "Positron Emission Tomography"),
        (NCIT, "NCIT:C16809", "Computed Tomography"),
        (OBO_NCIT, "PET-SCAN", "Positron emission tomography (not an NCIt code)"),
    ],
    "unknown_system": [
        ("http://example.org/local-orders", None, "Local imaging order"),
        ("http://hospital.example/fhir/CodeSystem/orders", None, "Local order catalogue item"),
    ],
    "missing": [
        (None, None, "Unknown PET/CT order"),
        (None, "78815", "PET/CT, system not given"),
        (SNOMED, None, "Imaging procedure, code not given"),
    ],
}
CODE_WEIGHTS = {"auto": 45, "review": 20, "below": 5, "no_xref": 12, "ncit": 5,
                "unknown_system": 8, "missing": 5}
STATUSES = {"active": 35, "completed": 40, "draft": 5, "on-hold": 5, "revoked": 5,
            "entered-in-error": 2, "unknown": 3}
INVALID_STATUSES = ("invalid_status", "cancelled", "Active ")
INTENTS = {"order": 80, "original-order": 5, "plan": 4, "proposal": 3, "directive": 2,
           "reflex-order": 2, "filler-order": 2, "instance-order": 1, "option": 1}
PRIORITIES = {"routine": 60, "urgent": 15, "asap": 5, "stat": 5, "": 15}
ENCOUNTER_CLASSES = {"AMB": ("ambulatory", 60), "IMP": ("inpatient encounter", 15),
                     "EMER": ("emergency", 10), "VR": ("virtual", 10), "HH": ("home health", 5)}
ENCOUNTER_STATUSES = {"finished": 80, "in-progress": 10, "planned": 5, "cancelled": 5}
GENDERS = {"female": 48, "male": 48, "other": 2, "unknown": 2}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _at(rng: random.Random, low: datetime, days: float) -> datetime:
    return low + timedelta(seconds=rng.randrange(max(1, int(days * 86400))))


def _datetime_text(rng: random.Random, value: datetime) -> str:
    """FHIR dateTime in the forms sources use: UTC `Z`, an offset, or a bare date."""
    roll = rng.random()
    if roll < 0.70:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if roll < 0.95:
        return (value - timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M:%S-05:00")
    return value.strftime("%Y-%m-%d")


def _coding(rng: random.Random, kind: str, serial: int) -> dict[str, Any]:
    system, code, display = rng.choice(CODE_POOLS[kind])
    if kind == "unknown_system":
        code = f"LOCAL-{serial % 997:04d}"
    if system is not None and kind in ("auto", "review", "no_xref") and rng.random() < 0.08:
        system = rng.choice([system.upper(), system.replace("http://", "https://") + "/"])
    coding: dict[str, Any] = {}
    if system is not None:
        coding["system"] = system
    if code is not None:
        coding["code"] = code
    coding["display"] = display
    return coding


def _service_request(
    rng: random.Random, serial: int, patient_ref: str | None, encounter: dict[str, Any] | None,
    encounter_ref: str | None, practitioner_ref: str,
) -> dict[str, Any]:
    status = _pick(rng, STATUSES)
    roll = rng.random()
    if roll < 0.03:
        status = status.upper()
    elif roll < 0.04:
        status = rng.choice(INVALID_STATUSES)
    intent = _pick(rng, INTENTS)
    if rng.random() < 0.02:
        intent = intent.upper()
    sr: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": f"SR-{serial:07d}",
        "identifier": [{"system": "http://hospital.example/order-numbers",
                        "value": f"ORD{serial:09d}"}],
        "status": status,
        "intent": intent,
    }
    priority = _pick(rng, PRIORITIES)
    if priority:
        sr["priority"] = priority
    if rng.random() >= 0.02:
        kinds = [_pick(rng, CODE_WEIGHTS)]
        if rng.random() < 0.30:
            kinds += [_pick(rng, CODE_WEIGHTS) for _ in range(rng.randint(1, 2))]
        codings = [_coding(rng, kind, serial + i) for i, kind in enumerate(kinds)]
        sr["code"] = {"coding": codings, "text": codings[0]["display"]}
    if rng.random() < 0.10:
        sr["description"] = f"Order {serial} for {sr.get('code', {}).get('text', 'a service')}"
    if patient_ref is not None:
        sr["subject"] = {"reference": patient_ref}
    if encounter_ref is not None:
        sr["encounter"] = {"reference": encounter_ref}
    if rng.random() >= 0.01:
        low = (datetime.fromisoformat(encounter["period"]["start"].replace("Z", "+00:00"))
               if encounter else START)
        sr["authoredOn"] = _datetime_text(rng, _at(rng, low, 2 if encounter else SPAN_DAYS))
    sr["requester"] = {"reference": practitioner_ref}
    return sr


def _patient(rng: random.Random, number: int) -> dict[str, Any]:
    birth = datetime(1935, 1, 1) + timedelta(days=rng.randrange(80 * 365))
    return {
        "resourceType": "Patient",
        "id": f"PAT-{number:06d}",
        "identifier": [{"system": "http://hospital.example/mrn", "value": f"MRN{number:08d}"}],
        "active": rng.random() >= 0.03,
        "gender": _pick(rng, GENDERS),
        "birthDate": birth.strftime("%Y-%m-%d"),
    }


def _encounter(rng: random.Random, number: int, patient_ref: str) -> dict[str, Any]:
    klass = rng.choice(list(ENCOUNTER_CLASSES))
    status = _pick(rng, ENCOUNTER_STATUSES)
    start = _at(rng, START, SPAN_DAYS)
    period = {"start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if status == "finished":
        hours = rng.randint(1, 6) if klass != "IMP" else rng.randint(24, 24 * 10)
        period["end"] = (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "resourceType": "Encounter",
        "id": f"ENC-{number:07d}",
        "status": status,
        "class": {"system": ACT_CODE, "code": klass, "display": ENCOUNTER_CLASSES[klass][0]},
        "subject": {"reference": patient_ref},
        "period": period,
    }


def _add_entry(
    rng: random.Random, entries: list[dict[str, Any]], resource: dict[str, Any], use_uuid: bool
) -> str:
    """Append a bundle entry; returns how other resources reference it."""
    if use_uuid:
        full_url = f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        entries.append({"fullUrl": full_url, "resource": resource})
        return full_url
    entries.append({"resource": resource})
    return f"{resource['resourceType']}/{resource['id']}"


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` requests over `parts` patients, each at least one."""
    counts = [1] * parts
    for _ in range(total - parts):
        counts[rng.randrange(parts)] += 1
    return counts


def build_bundles(scale: float, seed: int) -> list[dict[str, Any]]:
    """The synthetic bundles for a scale and seed (pure: same inputs, same bundles)."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    rng = random.Random(seed)
    n_requests = max(1, round(REQUESTS_PER_SCALE * scale))
    n_patients = max(1, math.ceil(n_requests / REQUESTS_PER_PATIENT))
    per_patient = _split(rng, n_requests, n_patients)
    bundles = []
    serial = enc_serial = 0
    for b, first in enumerate(range(0, n_patients, PATIENTS_PER_BUNDLE), start=1):
        use_uuid = rng.random() < 0.30
        entries: list[dict[str, Any]] = []

        def add(resource: dict[str, Any], entries: list[dict[str, Any]] = entries,
                use_uuid: bool = use_uuid) -> str:
            return _add_entry(rng, entries, resource, use_uuid)

        practitioner_ref = add({"resourceType": "Practitioner", "id": f"PRA-{b:05d}",
                                "name": [{"family": f"Clinician{b}"}]})
        for p in range(first, min(first + PATIENTS_PER_BUNDLE, n_patients)):
            patient_ref = add(_patient(rng, p + 1))
            encounters = []
            for _ in range(rng.randint(1, 3)):
                enc_serial += 1
                encounter = _encounter(rng, enc_serial, patient_ref)
                encounters.append((encounter, add(encounter)))
            for _ in range(per_patient[p]):
                serial += 1
                roll = rng.random()
                encounter, encounter_ref = rng.choice(encounters) if roll < 0.75 else (None, None)
                if 0.75 <= roll < 0.77:
                    encounter_ref = f"Encounter/ENC-MISSING-{serial:07d}"
                subject = patient_ref if rng.random() >= 0.005 else None
                add(_service_request(rng, serial, subject, encounter, encounter_ref,
                                     practitioner_ref))
        if rng.random() < 0.5:
            rng.shuffle(entries)
        bundles.append({"resourceType": "Bundle", "id": f"clinical-sample-{b:05d}",
                        "type": "collection", "entry": entries})
    return bundles


def _params(scale: float, seed: int) -> dict[str, Any]:
    ref = terminology.load_reference()
    return {"generator_version": GENERATOR_VERSION, "scale": scale, "seed": seed,
            "reference_versions": ref.source_versions}


def _reusable(out_dir: Path, params: dict[str, Any]) -> dict[str, Any] | None:
    try:
        manifest = json.loads((out_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("params") != params:
        return None
    if not all((out_dir / f).is_file() for f in [*manifest.get("files", []), OUTPUT_FILE]):
        return None
    return manifest


def generate_clinical(
    out_dir: str | Path, scale: float = 1.0, seed: int = 42, force: bool = False
) -> dict[str, Any]:
    """Write bundles and their pipeline output; returns the manifest (`reused` says if kept)."""
    out_dir = Path(out_dir)
    params = _params(scale, seed)
    if not force and (manifest := _reusable(out_dir, params)) is not None:
        return {**manifest, "reused": True}
    bundles = build_bundles(scale, seed)
    bundle_dir = out_dir / BUNDLE_DIR
    bundle_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST_FILE).unlink(missing_ok=True)
    for old in bundle_dir.glob("bundle_*.json"):
        old.unlink()
    files = []
    for number, bundle in enumerate(bundles, start=1):
        name = f"{BUNDLE_DIR}/bundle_{number:05d}.json"
        (out_dir / name).write_text(json.dumps(bundle, separators=(",", ":")) + "\n",
                                    encoding="utf-8")
        files.append(name)
    records, summary = map_paths([bundle_dir])
    write_ndjson(records, out_dir / OUTPUT_FILE)
    manifest = {
        "generator": "clinical",
        "params": params,
        "files": files,
        "output": OUTPUT_FILE,
        "counts": {"bundles": len(files), **summary["resources"], "rows": summary["rows"]},
        "mapping_states": summary["mapping_states"],
        "unsupported": summary["unsupported"],
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {**manifest, "reused": False, "summary": summary}
