"""The clinical reference mapper (FHIR R4 JSON -> NDJSON pipeline output) and generator.

Real inputs come from WAREHOUSE_REAL_DATA_DIR (default ../shared/data/real): the dfps
regression bundles and mapping fixtures, and the US Core ServiceRequest examples. Tests
that need them skip with a reason when the folder is missing, and fail instead when
WAREHOUSE_REQUIRE_REAL_DATA=1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.clinical import generate, terminology
from ingest.clinical.mapper import (
    add_map_arguments,
    code_element_id,
    format_summary,
    map_paths,
    run_map,
)
from ingest.clinical.ndjson import LISTS, explode, read_ndjson, write_ndjson
from ingest.clinical.terminology import ReferenceDataError, load_reference, map_code
from ingest.config import PROJECT_ROOT

REGRESSION_NOT_FHIR = {
    "mapping_cpt_78815.json": "not a FHIR resource (no resourceType)",
    "mapping_ncit_obo.json": "not a FHIR resource (no resourceType)",
    "mapping_snomed_pet.json": "not a FHIR resource (no resourceType)",
    "mapping_unknown.json": "not a FHIR resource (no resourceType)",
    "mapping_unknown_system.json": "not a FHIR resource (no resourceType)",
    "service_request_active.json": "not a FHIR resource (no resourceType)",
    "ncit_concepts.json": "a JSON list, not a FHIR resource",
    "umls_xrefs.json": "a JSON list, not a FHIR resource",
}


def _real_dir(sub: str) -> Path:
    default = PROJECT_ROOT.parent / "shared" / "data" / "real"
    root = Path(os.environ.get("WAREHOUSE_REAL_DATA_DIR") or default)
    path = root / sub
    if not path.is_dir():
        reason = f"real data folder {path} not found (set WAREHOUSE_REAL_DATA_DIR)"
        if os.environ.get("WAREHOUSE_REQUIRE_REAL_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def reference() -> terminology.Reference:
    return load_reference()


@pytest.fixture(scope="module")
def regression_dir() -> Path:
    return _real_dir("fhir/dfps_regression")


@pytest.fixture(scope="module")
def us_core_dir() -> Path:
    return _real_dir("fhir/us_core_servicerequest_examples")


@pytest.fixture(scope="module")
def regression(regression_dir, reference):
    records, summary = map_paths([regression_dir], reference)
    return records, summary, explode(records)


def _by(rows: list[dict], key: str) -> dict:
    out: dict = {}
    for row in rows:
        assert row[key] not in out, f"duplicate {key} {row[key]}"
        out[row[key]] = row
    return out


def _mappings_of(rows: dict, sr_id: str) -> list[dict]:
    ids = [c["code_element_id"] for c in rows["codes"] if c["sr_id"] == sr_id]
    by_id = _by(rows["mappings"], "code_element_id")
    return [by_id[i] for i in ids]


# ------------------------------------------------------------------ regression bundles


def test_regression_baseline_bundle(regression):
    _, _, rows = regression
    sr = _by(rows["service_requests"], "sr_id")["SR-000001"]
    assert (sr["patient_id"], sr["encounter_id"]) == ("PAT-000001", "ENC-000001")
    assert (sr["status"], sr["intent"]) == ("active", "order")
    assert sr["description"] == "Regression PET/CT ServiceRequest"
    assert sr["code_text"] == "PET/CT order"
    assert sr["ordered_at"] == "2024-05-01T12:00:00Z"
    # only code.coding is exploded, not category
    codes = [c for c in rows["codes"] if c["sr_id"] == "SR-000001"]
    assert [(c["system"], c["code"]) for c in codes] == [
        ("http://www.ama-assn.org/go/cpt", "78815"), ("http://snomed.info/sct", "441567006")]
    assert codes[0]["code_element_id"] == "SR-000001::http://www.ama-assn.org/go/cpt::78815"
    for m in _mappings_of(rows, "SR-000001"):
        assert (m["ncit_id"], m["cui"], m["state"], m["strategy"], m["reason"]) == (
            "NCIT:C19951", "C19951", "auto_mapped", "rule", "xref_match")
        assert m["score"] >= 0.95
        assert m["thresholds"] == {"auto_map": 0.95, "review": 0.60}
        assert set(m["source_versions"]) == {"mapper", "ncit_code_xref.csv", "ncit_concepts.csv"}
    assert "ENC-000001" in _by(rows["encounters"], "encounter_id")
    assert "PAT-000001" in _by(rows["patients"], "patient_id")


def test_regression_missing_subject_is_emitted_with_null_patient(regression):
    _, summary, rows = regression
    sr = _by(rows["service_requests"], "sr_id")["SR-MISSING-SUBJECT"]
    assert sr["patient_id"] is None and sr["subject_reference"] is None
    assert summary["warnings"]["service_request_without_subject"] == 1
    # the bundle's unrelated patient is still emitted, and the code still maps
    assert "PAT-UNKNOWN" in _by(rows["patients"], "patient_id")
    [m] = _mappings_of(rows, "SR-MISSING-SUBJECT")
    assert (m["ncit_id"], m["state"]) == ("NCIT:C19951", "auto_mapped")


def test_regression_missing_encounter_keeps_the_reference(regression):
    records, _, rows = regression
    sr = _by(rows["service_requests"], "sr_id")["SR-MISS-ENC"]
    assert sr["encounter_id"] == "ENC-404"
    assert sr["encounter_reference"] == "Encounter/ENC-404"
    assert sr["patient_id"] == "PAT-MISS-ENC"
    # the bundle has no Encounter and the request has no code (nor authoredOn)
    [fragment] = [r for r in records if r["source_file"].endswith("missing_encounter.json")]
    assert fragment["encounters"] == [] and fragment["codes"] == []
    assert fragment["mappings"] == [] and fragment["ncit_concepts"] == []
    assert (sr["code_count"], sr["ordered_at"], sr["description"]) == (0, None, None)
    assert "ENC-404" not in {e["encounter_id"] for e in rows["encounters"]}


def test_regression_status_values_stay_raw(regression):
    _, _, rows = regression
    srs = _by(rows["service_requests"], "sr_id")
    assert srs["SR-BAD-STATUS"]["status"] == "invalid_status"
    assert (srs["SR-UPPERCASE"]["status"], srs["SR-UPPERCASE"]["intent"]) == ("ACTIVE", "ORDER")
    # a bad status does not stop the mapping of its codes
    [m] = _mappings_of(rows, "SR-BAD-STATUS")
    assert (m["ncit_id"], m["state"]) == ("NCIT:C19951", "auto_mapped")
    [m] = _mappings_of(rows, "SR-UPPERCASE")
    assert m["state"] == "auto_mapped"


def test_regression_unknown_code_is_no_match(regression):
    _, _, rows = regression
    [code] = [c for c in rows["codes"] if c["sr_id"] == "SR-UNK"]
    assert (code["system"], code["code"], code["display"]) == (None, None, "Unknown PET/CT order")
    assert code["code_element_id"] == "SR-UNK::unknown-system::unknown-code"
    [m] = _mappings_of(rows, "SR-UNK")
    assert (m["strategy"], m["state"], m["score"], m["ncit_id"], m["cui"], m["reason"]) == (
        "unmapped", "no_match", 0.0, None, None, "missing_system_or_code")


def test_regression_extra_codings_each_get_an_outcome(regression):
    _, _, rows = regression
    codes = [c for c in rows["codes"] if c["sr_id"] == "SR-EXTRA-CODINGS"]
    assert [c["coding_index"] for c in codes] == [0, 1, 2]
    # raw system kept (upper case), normalized one beside it
    assert codes[2]["system"] == "HTTP://SNOMED.INFO/SCT"
    assert codes[2]["system_normalized"] == "http://snomed.info/sct"
    assert codes[2]["code_element_id"] == "SR-EXTRA-CODINGS::HTTP://SNOMED.INFO/SCT::2460006"
    assert codes[1]["system_normalized"] is None
    cpt, custom, snomed = _mappings_of(rows, "SR-EXTRA-CODINGS")
    assert (cpt["ncit_id"], cpt["state"]) == ("NCIT:C19951", "auto_mapped")
    assert (custom["state"], custom["strategy"], custom["reason"], custom["ncit_id"]) == (
        "no_match", "unmapped", "unknown_code_system", None)
    assert (snomed["ncit_id"], snomed["state"], snomed["strategy"], snomed["score"]) == (
        "NCIT:C19951", "needs_review", "lexical", 0.90)


def test_regression_non_fhir_files_are_reported_not_dropped(regression):
    records, summary, rows = regression
    reported = {Path(p["source_file"]).name: p["reason"] for p in summary["problems"]}
    assert reported == REGRESSION_NOT_FHIR
    assert summary["files_failed"] == 0
    assert summary["files_read"] == 7 + len(REGRESSION_NOT_FHIR)
    assert summary["fragments"] == len(records) == 7
    assert summary["resources"] == {"Encounter": 2, "Patient": 7, "ServiceRequest": 7}
    assert summary["rows"] == {name: len(rows[name]) for name in LISTS}
    text = format_summary(summary)
    for name in REGRESSION_NOT_FHIR:
        assert name in text


def test_regression_concepts_accompany_their_mappings(regression):
    records, _, _ = regression
    for record in records:
        mapped = {terminology.ncit_key(m["ncit_id"]) for m in record["mappings"] if m["ncit_id"]}
        listed = {terminology.ncit_key(c["ncit_id"]) for c in record["ncit_concepts"]}
        assert listed == mapped
        ids = [m["code_element_id"] for m in record["mappings"]]
        assert len(ids) == len(set(ids))


def test_flat_service_request_fixture_matches_output_fields(regression_dir, regression):
    """service_request_active.json is a flattened request, not FHIR: reported, and its
    fields are a subset of the service_requests list (with `id` as `sr_id`)."""
    flat = json.loads((regression_dir / "service_request_active.json").read_text())
    _, _, rows = regression
    fields = set(rows["service_requests"][0])
    assert {k for k in flat if k != "id"} <= fields and "sr_id" in fields


# ------------------------------------------------------------------ mapping fixtures

MAPPING_EXPECTATIONS = {
    # file: (state, ncit_key, reason, strategy)
    "mapping_cpt_78815.json": ("auto_mapped", "C19951", "xref_match", "rule"),
    "mapping_snomed_pet.json": ("auto_mapped", "C19951", "xref_match", "rule"),
    "mapping_ncit_obo.json": ("auto_mapped", "C19951", "ncit_system_identity", "rule"),
    "mapping_unknown.json": ("no_match", None, "missing_system_or_code", "unmapped"),
    "mapping_unknown_system.json": ("no_match", None, "unknown_code_system", "unmapped"),
}


@pytest.mark.parametrize("name", sorted(MAPPING_EXPECTATIONS))
def test_mapping_fixture(name, regression_dir, reference, tmp_path):
    fixture = json.loads((regression_dir / name).read_text())
    state, key, reason, strategy = MAPPING_EXPECTATIONS[name]
    ceid = code_element_id(fixture["sr_id"], fixture["system"], fixture["code"])
    direct = map_code(ceid, fixture["system"], fixture["code"], reference)
    assert (direct["state"], terminology.ncit_key(direct["ncit_id"])) == (state, key)
    assert (direct["reason"], direct["strategy"]) == (reason, strategy)
    if state == "auto_mapped":
        assert direct["score"] >= 0.95
    else:
        assert direct["ncit_id"] is None and direct["score"] == 0.0
    if name == "mapping_ncit_obo.json":
        assert direct["ncit_id"] == "C19951"  # raw form kept; the warehouse normalizes
    # the same code carried by a ServiceRequest through the whole mapper
    coding = {k: fixture[k] for k in ("system", "code", "display") if fixture[k] is not None}
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        {"resource": {"resourceType": "ServiceRequest", "id": fixture["sr_id"],
                      "status": "active", "intent": "order",
                      "subject": {"reference": "Patient/P1"}, "code": {"coding": [coding]}}}]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    records, _ = map_paths([tmp_path / "b.json"], reference)
    [mapping] = records[0]["mappings"]
    assert mapping == direct


def test_fixture_reference_data_agrees_with_the_seeds(regression_dir, reference, regression):
    fixture_xrefs = terminology.load_xrefs(regression_dir / "umls_xrefs.json")
    assert fixture_xrefs
    for key, xref in fixture_xrefs.items():
        seed = reference.xrefs[key]
        assert (seed.ncit_id, seed.cui) == (xref.ncit_id, xref.cui)
        assert terminology.classify(seed.score) == "auto_mapped"
    fixture_concepts = terminology.load_concepts(regression_dir / "ncit_concepts.json")
    assert fixture_concepts == reference.concepts
    # mapping with the fixture reference files added changes no decision
    extended = load_reference([regression_dir / "umls_xrefs.json"],
                              [regression_dir / "ncit_concepts.json"])
    records, _ = map_paths([regression_dir], extended)

    def decisions(recs):
        return [{k: v for k, v in m.items() if k != "source_versions"}
                for r in recs for m in r["mappings"]]

    assert decisions(records) == decisions(regression[0])
    assert "umls_xrefs.json" in records[0]["mappings"][0]["source_versions"]


# ------------------------------------------------------------------ US Core examples


def test_us_core_examples_map(us_core_dir, reference):
    records, summary = map_paths([us_core_dir], reference)
    rows = explode(records)
    assert summary["problems"] == [] and summary["files_failed"] == 0
    assert summary["resources"] == {"Encounter": 2, "Patient": 1, "ServiceRequest": 7}
    srs = _by(rows["service_requests"], "sr_id")
    assert set(srs) == {"bmp", "cbc", "chest-xray", "ekg", "foodpantry-referral", "rehab",
                        "servicerequest-dnr-example1"}
    assert {sr["patient_id"] for sr in srs.values()} == {"example"}
    assert srs["bmp"]["encounter_id"] == "example-1"
    assert srs["chest-xray"]["encounter_id"] == "1036"
    assert srs["foodpantry-referral"]["encounter_id"] is None
    assert srs["servicerequest-dnr-example1"]["intent"] == "directive"
    assert srs["servicerequest-dnr-example1"]["ordered_at"] == "2025-08-26"
    assert srs["servicerequest-dnr-example1"]["occurrence_start"] == "2025-08-26"
    assert srs["bmp"]["ordered_at"] == "2024-10-13T10:59:38-08:00"
    assert srs["bmp"]["description"] == "Basic Metabolic Panel (BMP)"
    [patient] = rows["patients"]
    # US Core 9 carries sex in an extension, not in Patient.gender: gender stays null
    assert (patient["patient_id"], patient["birth_date"], patient["gender"]) == (
        "example", "1987-02-20", None)
    assert (patient["active"], patient["identifier_value"]) == ("true", "1032702")
    encounters = _by(rows["encounters"], "encounter_id")
    assert (encounters["example-1"]["class"], encounters["example-1"]["period_start"]) == (
        "AMB", "2015-11-01T17:00:14-05:00")
    assert encounters["1036"]["class"] == "IMP" and encounters["1036"]["period_end"] is None
    assert {e["patient_id"] for e in encounters.values()} == {"example"}
    [xray] = _mappings_of(rows, "chest-xray")
    assert (xray["state"], xray["reason"], xray["strategy"], xray["score"], xray["ncit_id"]) == (
        "no_match", "score_below_threshold", "vector", 0.35, None)
    counseling, pcs = _mappings_of(rows, "rehab")
    assert counseling["reason"] == pcs["reason"] == "no_xref_for_code"
    assert all(m["state"] == "no_match" for m in rows["mappings"])


# ------------------------------------------------------------------ rules in isolation


@pytest.mark.parametrize("raw", [
    "http://snomed.info/sct", "HTTP://SNOMED.INFO/SCT", " http://snomed.info/sct/ ",
    "https://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96"])
def test_system_normalization(raw):
    assert terminology.canonical_system(raw) == terminology.SNOMED


@pytest.mark.parametrize("raw", [
    "http://purl.obolibrary.org/obo/NCIT", "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
    "HTTP://PURL.OBOLIBRARY.ORG/OBO/ncit.owl"])
def test_ncit_system_urls(raw):
    assert terminology.canonical_system(raw) == terminology.NCIT


@pytest.mark.parametrize("raw", [None, "", "   ", "http://example.org/custom", 42])
def test_unknown_systems(raw):
    assert terminology.canonical_system(raw) is None


@pytest.mark.parametrize("raw,key", [
    ("C19951", "C19951"), ("NCIT:C19951", "C19951"), ("ncit:c19951", "C19951"),
    ("NCIT_C19951", "C19951"), ("http://purl.obolibrary.org/obo/NCIT_C19951", "C19951"),
    ("http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl#C19951", "C19951"),
    ("PET-SCAN", None), ("19951", None), (None, None), ("NCIT:C", None)])
def test_ncit_key(raw, key):
    assert terminology.ncit_key(raw) == key


@pytest.mark.parametrize("score,state", [
    (1.0, "auto_mapped"), (0.95, "auto_mapped"), (0.9499, "needs_review"),
    (0.60, "needs_review"), (0.5999, "no_match"), (0.0, "no_match")])
def test_thresholds(score, state):
    assert terminology.classify(score) == state


def test_code_element_id_placeholders():
    assert code_element_id("SR1", None, None) == "SR1::unknown-system::unknown-code"
    assert code_element_id("SR1", "  ", "X") == "SR1::unknown-system::X"
    assert code_element_id("SR1", "http://loinc.org", "") == "SR1::http://loinc.org::unknown-code"


def test_map_code_outcomes(reference):
    def m(system, code):
        return map_code("id", system, code, reference)

    assert m(terminology.NCIT, "NCIT:C16809")["ncit_id"] == "NCIT:C16809"
    bad = m("http://purl.obolibrary.org/obo/NCIT", "PET-SCAN")
    assert (bad["state"], bad["reason"]) == ("no_match", "invalid_ncit_code")
    none = m("http://loinc.org", "24321-2")
    assert (none["state"], none["reason"], none["strategy"]) == (
        "no_match", "no_xref_for_code", "unmapped")
    assert m("http://snomed.info/sct", None)["reason"] == "missing_system_or_code"
    assert m(None, "78815")["reason"] == "missing_system_or_code"
    review = m("http://www.ama-assn.org/go/cpt", "78813")
    assert (review["state"], review["strategy"]) == ("needs_review", "vector")
    assert {mm["strategy"] for mm in (m(s, c) for (s, c) in reference.xrefs)} == {
        "rule", "manual", "lexical", "composite", "vector"}


# ------------------------------------------------------------------ reading edge cases


def _write(path: Path, doc) -> Path:
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def test_references_shuffled_entries_and_unsupported_resources(tmp_path, reference):
    bundle = {"resourceType": "Bundle", "id": "B1", "type": "collection", "entry": [
        {"fullUrl": "urn:uuid:sr-1", "resource": {
            "resourceType": "ServiceRequest", "id": "SR1", "status": 7, "intent": "order",
            "subject": {"reference": "urn:uuid:pat-1"},
            "encounter": {"reference": "urn:uuid:enc-1"},
            "code": {"coding": [{"system": "http://loinc.org", "code": "24606-6"}, "junk"]}}},
        {"fullUrl": "urn:uuid:sr-2", "resource": {
            "resourceType": "ServiceRequest", "status": "active", "intent": "order",
            "subject": {"reference": "Group/G1"},
            "code": {"coding": [{"system": "http://loinc.org", "code": "24606-6"}]}}},
        {"resource": {"resourceType": "ServiceRequest", "id": "SR3", "status": "active",
                      "subject": {"reference": "https://fhir.example/Patient/P9/_history/2"},
                      "encounter": {"reference": "urn:uuid:not-here"}}},
        {"resource": {"resourceType": "ServiceRequest", "status": "draft",
                      "code": {"coding": [{"system": "http://loinc.org", "code": "1"}]}}},
        {"fullUrl": "urn:uuid:pat-1", "resource": {"resourceType": "Patient", "id": "P1"}},
        {"fullUrl": "urn:uuid:enc-1", "resource": {
            "resourceType": "Encounter", "subject": {"reference": "urn:uuid:pat-1"},
            "class": [{"coding": [{"code": "AMB"}]}]}},
        {"resource": {"resourceType": "Practitioner", "id": "DR1"}},
        {"request": {"method": "GET", "url": "Patient/P1"}},
    ]}
    records, summary = map_paths([_write(tmp_path / "b.json", bundle)], reference)
    [fragment] = records
    assert fragment["bundle_id"] == "B1"
    srs = fragment["service_requests"]
    assert srs[0]["patient_id"] == "P1" and srs[0]["encounter_id"] == "urn:uuid:enc-1"
    assert srs[0]["status"] == "7"  # a number where text belongs: kept as its JSON text
    assert srs[1]["sr_id"] == "urn:uuid:sr-2" and srs[1]["patient_id"] is None
    assert srs[1]["subject_reference"] == "Group/G1"
    assert srs[2]["patient_id"] == "P9" and srs[2]["encounter_id"] is None
    assert srs[2]["encounter_reference"] == "urn:uuid:not-here"
    assert srs[3]["sr_id"] is None and srs[3]["code_count"] == 1
    assert [c["sr_id"] for c in fragment["codes"]] == ["SR1", "urn:uuid:sr-2"]
    assert fragment["encounters"][0]["encounter_id"] == "urn:uuid:enc-1"
    assert fragment["encounters"][0]["patient_id"] == "P1"
    assert fragment["encounters"][0]["class"] == "AMB"
    assert summary["unsupported"] == {"Practitioner": 1}
    assert summary["warnings"]["malformed_coding"] == 1
    assert summary["warnings"]["subject_not_a_patient_reference"] == 1
    assert summary["warnings"]["service_request_without_id"] == 1
    reasons = sorted(p["reason"] for p in summary["problems"])
    assert reasons == sorted([
        "coding is not an object: not mapped",
        "ServiceRequest without id or fullUrl: its codes are not exploded",
        "unsupported resource type Practitioner: not mapped",
        "bundle entry without a resource",
    ])


def test_unreadable_inputs_are_reported(tmp_path, reference):
    folder = tmp_path / "in"
    folder.mkdir()
    _write(folder / "good.json", {"resourceType": "Patient", "id": "P1"})
    _write(folder / "broken.json", '{"resourceType": "Patient", ')
    _write(folder / "empty.json", "")
    _write(folder / "notes.txt", "hello")
    (folder / "latin1.json").write_bytes(b'{"resourceType": "Patient", "id": "\xe9"}')
    _write(folder / "bulk.ndjson", "\n".join([
        json.dumps({"resourceType": "Patient", "id": "P2"}), "not json", "",
        json.dumps({"resourceType": "Observation", "id": "O1"})]))
    records, summary = map_paths([folder, tmp_path / "missing.json"], reference)
    assert [p["patient_id"] for r in records for p in r["patients"]] == ["P2", "P1"]
    assert records[0]["location"] == "line 1"
    problems = {(Path(p["source_file"]).name, p["where"]): p["reason"]
                for p in summary["problems"]}
    assert problems[("broken.json", "line 1 column 29")].startswith("invalid JSON")
    assert problems[("empty.json", None)] == "empty file"
    assert problems[("notes.txt", None)] == "not a .json or .ndjson file: not read"
    assert problems[("latin1.json", None)].startswith("unreadable file")
    assert problems[("bulk.ndjson", "line 2")].startswith("invalid JSON")
    assert problems[("bulk.ndjson", "line 4")] == (
        "unsupported resource type Observation: not mapped")
    assert problems[("missing.json", None)] == "no such file or folder"
    assert summary["files_failed"] == 4 and summary["files_read"] == 2


@pytest.mark.parametrize("content,message", [
    ("system,code,ncit_id,cui,score,strategy\nhttp://loinc.org,1,NCIT:C1,,1.5,rule\n",
     "outside 0..1"),
    ("system,code,ncit_id,cui,score,strategy\nhttp://loinc.org,1,NCIT:C1,,x,rule\n",
     "not a number"),
    ("system,code,ncit_id,cui,score,strategy\nhttp://loinc.org,1,NCIT:C1,,0.9,guess\n",
     "strategy 'guess'"),
    ("system,code,ncit_id,cui,score,strategy\nhttp://x.org,1,NCIT:C1,,0.9,rule\n",
     "not a registered code system"),
    ("system,code,ncit_id,cui,score,strategy\nhttp://loinc.org,1,PET,,0.9,rule\n",
     "not an NCIt id"),
    ("system,code,ncit_id,cui,score,strategy\nhttp://loinc.org,1,C1,,0.9,rule\n"
     "HTTP://LOINC.ORG,1,C2,,0.9,rule\n", "line 3: duplicate"),
    ("system,code,ncit_id\nhttp://loinc.org,1,C1,extra\n", "field count"),
    ("system,code\nhttp://loinc.org,1\n", "missing column(s) ['ncit_id']"),
])
def test_bad_cross_reference_is_a_clear_error(tmp_path, content, message):
    path = _write(tmp_path / "xref.csv", content)
    with pytest.raises(ReferenceDataError, match=None) as info:
        terminology.load_xrefs(path)
    assert message in str(info.value) and "xref.csv" in str(info.value)


def test_seed_files_load_and_cover_every_state(reference):
    assert reference.source_versions["ncit_code_xref.csv"].startswith("sha256:")
    states = {terminology.classify(x.score) for x in reference.xrefs.values()}
    assert states == set(terminology.STATES)
    assert all(terminology.ncit_key(x.ncit_id) in reference.concepts
               for x in reference.xrefs.values())


# ------------------------------------------------------------------ command


def _map_args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_map_arguments(parser)
    return parser.parse_args(list(argv))


def test_run_map_writes_ndjson(regression_dir, tmp_path, capsys):
    out = tmp_path / "out" / "clinical.ndjson"
    assert run_map(_map_args(str(regression_dir), "--out", str(out))) == 0
    records = read_ndjson(out)
    assert records == map_paths([regression_dir])[0]
    assert all(set(LISTS) <= set(r) for r in records)
    err = capsys.readouterr().err
    assert "mapping_unknown.json: not a FHIR resource" in err and "wrote 7 line(s)" in err


def test_run_map_exit_codes(regression_dir, tmp_path, capsys):
    out = tmp_path / "o.ndjson"
    assert run_map(_map_args(str(regression_dir), str(tmp_path / "nope"), "--out", str(out))) == 1
    assert len(read_ndjson(out)) == 7  # what could be read is still written
    bad = _write(tmp_path / "x.csv", "system,code\n")
    assert run_map(_map_args(str(regression_dir), "--out", str(out), "--xref", str(bad))) == 2
    assert "missing column(s)" in capsys.readouterr().err


def test_ndjson_round_trip(tmp_path):
    records = [{"service_requests": [{"sr_id": "é"}], "codes": []}, {"mappings": []}]
    assert write_ndjson(records, tmp_path / "a.ndjson") == 2
    assert read_ndjson(tmp_path / "a.ndjson") == records
    _write(tmp_path / "bad.ndjson", '{"a": 1}\n[1]\n')
    with pytest.raises(ValueError, match="line 2"):
        read_ndjson(tmp_path / "bad.ndjson")


def test_cli_subprocess(regression_dir, tmp_path):
    cli = PROJECT_ROOT / "ingest" / "cli.py"
    if not cli.is_file() or "map-fhir" not in cli.read_text():
        pytest.skip("ingest/cli.py has no map-fhir command yet")
    out = tmp_path / "cli.ndjson"
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "map-fhir", str(regression_dir), "--out", str(out)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert read_ndjson(out) == map_paths([regression_dir])[0]
    assert "not a FHIR resource" in proc.stderr


# ------------------------------------------------------------------ generator


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_generator_is_deterministic_and_reused(tmp_path):
    first = generate.generate_clinical(tmp_path / "a", scale=0.1, seed=5)
    second = generate.generate_clinical(tmp_path / "b", scale=0.1, seed=5)
    assert not first["reused"] and not second["reused"]
    assert _tree(tmp_path / "a") == _tree(tmp_path / "b")
    other = generate.generate_clinical(tmp_path / "c", scale=0.1, seed=6)
    assert _tree(tmp_path / "c") != _tree(tmp_path / "a")
    assert other["counts"]["ServiceRequest"] == 200
    output = tmp_path / "a" / generate.OUTPUT_FILE
    mtime = output.stat().st_mtime_ns
    again = generate.generate_clinical(tmp_path / "a", scale=0.1, seed=5)
    assert again["reused"] and output.stat().st_mtime_ns == mtime
    changed = generate.generate_clinical(tmp_path / "a", scale=0.05, seed=5)
    assert not changed["reused"] and changed["counts"]["ServiceRequest"] == 100
    assert len(list((tmp_path / "a" / "bundles").glob("*.json"))) == changed["counts"]["bundles"]


def test_generator_output_is_the_mapper_output_and_varied(tmp_path):
    manifest = generate.generate_clinical(tmp_path, scale=0.5, seed=11)
    records = read_ndjson(tmp_path / generate.OUTPUT_FILE)
    assert records == map_paths([tmp_path / "bundles"])[0]
    rows = explode(records)
    srs = rows["service_requests"]
    assert len(srs) == 1000 and manifest["summary"]["files_failed"] == 0
    statuses = {sr["status"] for sr in srs}
    assert {"active", "completed", "draft", "on-hold", "revoked", "entered-in-error",
            "unknown"} <= statuses
    assert any(s.isupper() for s in statuses)
    assert statuses & set(generate.INVALID_STATUSES)
    assert any(sr["encounter_id"] is None for sr in srs)
    assert any((sr["encounter_id"] or "").startswith("ENC-MISSING") for sr in srs)
    assert any(sr["patient_id"] is None for sr in srs)
    assert any(sr["code_count"] == 0 for sr in srs)
    assert any((sr["subject_reference"] or "").startswith("urn:uuid:") for sr in srs)
    assert {m["reason"] for m in rows["mappings"]} == set(terminology.REASONS)
    assert {m["state"] for m in rows["mappings"]} == set(terminology.STATES)
    assert any(c["system"] and c["system"] != c["system_normalized"] and c["system_normalized"]
               for c in rows["codes"])
    patients = {p["patient_id"] for p in rows["patients"]}
    assert {sr["patient_id"] for sr in srs if sr["patient_id"]} <= patients
    assert manifest["unsupported"] == {"Practitioner": manifest["counts"]["bundles"]}


@pytest.mark.parametrize("scale", [0, -1, float("nan")])
def test_generator_rejects_bad_scale(tmp_path, scale):
    with pytest.raises(ValueError, match="scale must be a positive number"):
        generate.build_bundles(scale, 1)


def test_generator_cli_adapter(tmp_path, capsys):
    from ingest.generators import clinical

    parser = argparse.ArgumentParser()
    clinical.add_arguments(parser)
    args = parser.parse_args(["--out", str(tmp_path), "--scale", "0.01", "--seed", "2"])
    assert clinical.run(args) == 0
    assert "wrote 1 bundle(s)" in capsys.readouterr().err
    assert clinical.run(args) == 0
    assert "reused" in capsys.readouterr().err
    assert clinical.run(parser.parse_args(["--out", str(tmp_path), "--scale", "0"])) == 2
    os.environ.get("WAREHOUSE_DATA_DIR")  # default folder comes from config.data_dir()
    assert clinical.default_out().parts[-2:] == ("sample", "clinical")
