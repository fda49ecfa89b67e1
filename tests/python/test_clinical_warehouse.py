"""Clinical star end to end, on DuckDB and PostgreSQL: map the real regression bundles and
US Core examples, land the NDJSON, build, and check what happens to every edge case; then
the synthetic generator's output, a repeated load, and data tests seen failing on purpose."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from conftest import dbt, query, scalar

from ingest import dbt_runner
from ingest.clinical.generate import OUTPUT_FILE, generate_clinical
from ingest.clinical.mapper import map_paths, write_ndjson
from ingest.loaders import clinical as loader

pytestmark = pytest.mark.build

REGRESSION = "fhir/dfps_regression"
US_CORE = "fhir/us_core_servicerequest_examples"
BASELINE = "fhir_bundle_sr.json"
# selectors.yml: the clinical models, seeds and tests, and the ctl tables they feed
SELECT = ["--selector", "clinical"]
MODELS_ONLY = [*SELECT, "--resource-type", "model", "--resource-type", "seed"]


# ------------------------------------------------------------------------------ inputs


def map_to(paths: list[Path], out: Path) -> Path:
    records, summary = map_paths(paths)
    assert summary["files_failed"] == 0, summary["problems"]
    write_ndjson(records, out)
    return out


def crafted_fragments(baseline: Path, uppercase: Path) -> list[str]:
    """Edge cases the real fixtures do not hold, built from the baseline fragment."""
    base = json.loads(baseline.read_text().splitlines()[0])

    def fragment(sr_id: str) -> dict:
        frag = copy.deepcopy(base)
        frag["source_file"] = f"crafted/{sr_id}.json"
        old = frag["service_requests"][0]["sr_id"]
        frag["service_requests"][0]["sr_id"] = sr_id
        frag["patients"] = frag["encounters"] = []
        for row in frag["codes"]:
            row["sr_id"] = sr_id
            row["code_element_id"] = row["code_element_id"].replace(old, sr_id)
        for row in frag["mappings"]:
            row["code_element_id"] = row["code_element_id"].replace(old, sr_id)
        return frag

    bad_time = fragment("SR-BAD-TIME")
    bad_time["service_requests"][0]["ordered_at"] = "2024-13-45T25:00:00Z"
    stray = fragment("SR-STRAY-MAPPING")
    stray["mappings"].append({**stray["mappings"][0], "code_element_id": "SR-NOWHERE::x::1"})
    forms = fragment("SR-NCIT-FORMS")
    forms["mappings"][0]["ncit_id"] = "http://purl.obolibrary.org/obo/NCIT_C19951"
    forms["mappings"][1]["ncit_id"] = "NCIT:C99999"  # auto-mapped to a concept in no list
    # the uppercase-status request again, later, with a new status: it supersedes
    resent = json.loads(uppercase.read_text().splitlines()[0])
    resent["service_requests"][0]["status"] = " Completed "
    return [json.dumps(f) for f in (bad_time, stray, forms, resent)] + ['{"service_requests": [']


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("clinical_sample")
    manifest = generate_clinical(out, scale=0.05, seed=7)
    return out / OUTPUT_FILE, manifest


def load(*paths: Path) -> loader.ClinicalLoad:
    return loader.load(list(paths))


def rows(sql: str) -> dict:
    return {r[0]: r[1:] if len(r) > 2 else r[1] for r in query(sql)}


# ------------------------------------------------------------------------------ the run


def test_regression_bundles_land_build_and_every_edge_case_is_handled(
    warehouse, real_data, tmp_path, synthetic
):
    regression = real_data / REGRESSION
    # 1. the baseline bundle alone: the row count of every dimension
    baseline = map_to([regression / BASELINE], tmp_path / "baseline.ndjson")
    first = load(baseline)
    assert first.changes["service_requests"].inserted == 1
    dbt("build", *MODELS_ONLY)
    assert scalar("select count(*) from clinical.dim_patient") == 2  # PAT-000001 + unknown
    assert scalar("select count(*) from clinical.dim_encounter") == 2  # ENC-000001 + unknown
    assert scalar("select count(*) from clinical.dim_code") == 3  # CPT, SNOMED + unknown
    # 3 reference concepts (C19951 sent by the pipeline) + NO_MATCH + UNKNOWN
    assert scalar("select count(*) from clinical.dim_ncit") == 5
    assert scalar("select count(*) from clinical.fct_service_request") == 2

    # 2. every other regression bundle, the US Core examples, crafted cases, synthetic data
    others = [p for p in sorted(regression.glob("fhir_bundle_*.json")) if p.name != BASELINE]
    real = map_to([*others, real_data / US_CORE], tmp_path / "real.ndjson")
    crafted = tmp_path / "crafted.ndjson"
    crafted.write_text(
        "\n".join(crafted_fragments(baseline, map_to(
            [regression / "fhir_bundle_uppercase_status.json"], tmp_path / "upper.ndjson"
        ))) + "\n"
    )
    synthetic_file, manifest = synthetic
    second = load(real, synthetic_file)
    assert second.changes["service_requests"].inserted == 13 + manifest["counts"][
        "ServiceRequest"]
    third = load(crafted)
    assert third.changes["service_requests"].updated == 1  # SR-UPPERCASE, new status
    assert third.changes["service_requests"].inserted == 3
    dbt("build", *SELECT)  # models, unit tests, data tests: everything must pass

    facts = "clinical.fct_service_request"
    rejects = "staging.stg_clinical__rejects"
    reason = f"select reject_reason from {rejects} where source_table = 'service_requests' and "

    # missing subject: rejected with its reason, its code and mapping with it
    assert scalar(reason + "raw_row like '%SR-MISSING-SUBJECT%'") == "missing subject"
    assert scalar(f"select count(*) from {facts} where service_request_id = "
                  "'SR-MISSING-SUBJECT'") == 0
    assert query(f"select source_table, reject_reason from {rejects} where source_table in "
                 "('codes', 'mappings') and raw_row like '%SR-MISSING-SUBJECT%' order by 1") == [
        ("codes", "service request rejected: missing subject"),
        ("mappings", "code element rejected: service request rejected: missing subject"),
    ]
    # invalid status: rejected
    assert scalar(reason + "raw_row like '%SR-BAD-STATUS%'") == "invalid status"
    assert scalar(f"select count(*) from {facts} where service_request_id = 'SR-BAD-STATUS'") == 0
    # missing encounter (ENC-404 not in the input, no codes): kept, unknown encounter + code
    assert query(
        f"select encounter_sk, encounter_id, code_sk, ncit_sk, mapping_state, mapping_reason "
        f"from {facts} where service_request_id = 'SR-MISS-ENC'"
    ) == [("-1", "ENC-404", "-1", "NO_MATCH", "no_match", "service_request_without_codes")]
    # uppercase status and intent: normalized (and later superseded by the resent version)
    assert query(f"select status, intent from {facts} where service_request_id = "
                 "'SR-UPPERCASE'") == [("completed", "order")]
    assert scalar("select count(*) from staging.base_clinical__service_requests where "
                  "service_request_id = 'SR-UPPERCASE' and status = 'active' "
                  "and reject_reason is null and not is_current_version") == 1
    # unknown code (no system, no code): NO_MATCH
    assert query(
        f"select d.code_system_name, f.ncit_sk, f.mapping_state, f.mapping_reason from {facts} f "
        "join clinical.dim_code d on f.code_sk = d.code_sk where f.service_request_id = 'SR-UNK'"
    ) == [("missing system", "NO_MATCH", "no_match", "missing_system_or_code")]
    # extra codings: three rows; the unknown system is NO_MATCH, odd casing normalized
    extra = query(
        f"select f.coding_index, d.code_system_name, n.ncit_id, f.mapping_state, "
        f"f.mapping_reason from {facts} f "
        "join clinical.dim_code d on f.code_sk = d.code_sk "
        "join clinical.dim_ncit n on f.ncit_sk = n.ncit_sk "
        "where f.service_request_id = 'SR-EXTRA-CODINGS' order by 1"
    )
    assert extra == [
        (0, "CPT", "C19951", "auto_mapped", "xref_match"),
        (1, "unregistered system", "NO_MATCH", "no_match", "unknown_code_system"),
        (2, "SNOMED CT", "C19951", "needs_review", "xref_match"),
    ]
    # crafted: unparseable timestamp, a mapping pointing nowhere, NCIt id forms, bad line
    assert scalar(reason + "raw_row like '%SR-BAD-TIME%'") == "unparseable ordered_at"
    assert scalar(f"select reject_reason from {rejects} where source_table = 'mappings' and "
                  "raw_row like '%SR-NOWHERE%'") == "mapping points at an unknown code element"
    assert query(f"select f.coding_index, n.ncit_id from {facts} f join clinical.dim_ncit n "
                 "on f.ncit_sk = n.ncit_sk where f.service_request_id = 'SR-NCIT-FORMS' "
                 "order by 1") == [(0, "C19951"), (1, "UNKNOWN")]
    assert scalar(f"select reject_reason from {rejects} where source_table = 'fragments'") \
        == "malformed line: invalid JSON"
    assert scalar("select count(*) from ctl.rejects where domain = 'clinical'") == scalar(
        f"select count(*) from {rejects}")

    # US Core: offsets become UTC, the patient and encounters link
    assert str(scalar(f"select ordered_at from {facts} where service_request_id = 'bmp'")) \
        .startswith("2024-10-13 18:59:38")
    assert scalar(
        f"select count(*) from {facts} f join clinical.dim_encounter e "
        "on f.encounter_sk = e.encounter_sk join clinical.dim_patient p "
        "on e.patient_sk = p.patient_sk where p.patient_id = 'example'"
    ) == 7

    # every fact key resolves; every no-match fact points to NO_MATCH
    for dim, key in (("dim_patient", "patient_sk"), ("dim_encounter", "encounter_sk"),
                     ("dim_code", "code_sk"), ("dim_ncit", "ncit_sk")):
        assert scalar(f"select count(*) from {facts} f left join clinical.{dim} d "
                      f"on f.{key} = d.{key} where d.{key} is null") == 0, dim
    assert scalar("select preferred_name from clinical.dim_ncit where ncit_sk = 'NO_MATCH'") \
        == "Unmapped (NoMatch)"
    assert scalar(f"select count(*) from {facts} where mapping_state = 'no_match' "
                  "and ncit_sk <> 'NO_MATCH'") == 0
    assert scalar(f"select count(*) from {facts} where ncit_sk = 'NO_MATCH'") > 0

    # synthetic: every generated request is in the fact table or rejected, never both
    synthetic_ids = "(select service_request_id from staging.base_clinical__service_requests " \
        f"where source_file = '{synthetic_file.name}')"
    kept = scalar(f"select count(distinct service_request_id) from {facts} "
                  f"where service_request_id in {synthetic_ids}")
    rejected = scalar(f"select count(*) from {rejects} where source_table = 'service_requests' "
                      f"and row_key like '{synthetic_file.name}:%'")
    assert kept + rejected == manifest["counts"]["ServiceRequest"]
    assert rejected > 0 and kept > rejected
    states = rows(f"select mapping_state, count(*) from {facts} where service_request_id in "
                  f"{synthetic_ids} group by 1")
    assert set(states) == {"auto_mapped", "needs_review", "no_match"}
    assert scalar("select count(*) from clinical.mart_clinical__mapping_review "
                  "where mapping_state = 'needs_review'") > 0

    # the same files again: nothing lands, nothing changes
    before = {t: scalar(f"select count(*) from raw_clinical.{t}") for t in
              ("fragments", "service_requests", "codes", "mappings", "_landed_files")}
    again = load(baseline, real, synthetic_file, crafted)
    assert again.landing.files_landed == [] and len(again.landing.files_skipped) == 4
    assert all(c.rows == c.inserted == c.updated == 0 for c in again.changes.values())
    assert before == {t: scalar(f"select count(*) from raw_clinical.{t}") for t in before}

    # the data tests above are not vacuous: break the warehouse and watch them fail
    if warehouse.is_duckdb:
        check_data_tests_fail_on_a_broken_warehouse()


def check_data_tests_fail_on_a_broken_warehouse() -> None:
    """Each singular test, and a few generic ones, seen failing on a broken warehouse."""
    from ingest import warehouse

    with warehouse.connect() as con:
        for sql in (
            # a no-match fact moved off NO_MATCH
            "update clinical.fct_service_request set ncit_sk = (select min(ncit_sk) from "
            "clinical.dim_ncit where not is_sentinel) where mapping_reason = "
            "'unknown_code_system'",
            # a request lost from the fact table
            "delete from clinical.fct_service_request where service_request_id = 'SR-UNK'",
            # the unknown code row gone (facts without codes now dangle)
            "delete from clinical.dim_code where code_sk = '-1'",
            # a fragment announcing one code more than landed
            "update raw_clinical.fragments set codes_count = codes_count + 1 "
            "where _source_row_number = 1",
            # a status outside the value set, a second NO_MATCH row
            "update clinical.fct_service_request set status = 'ACTIVE' "
            "where service_request_id = 'bmp'",
            "insert into clinical.dim_ncit select * from clinical.dim_ncit "
            "where ncit_sk = 'NO_MATCH'",
        ):
            con.execute(sql)
    result = dbt_runner.invoke([
        "test", "--select", "tag:clinical,test_type:singular",
        "fct_service_request,test_name:relationships",
        "fct_service_request,test_name:expect_column_values_to_be_in_set",
        "dim_ncit,test_name:unique",
    ])
    failed = {r.node.name for r in result.result if str(r.status) == "fail"}
    expected = {
        "assert_clinical_no_match_facts_point_to_no_match",
        "assert_clinical_facts_reconcile_with_staging",
        "assert_clinical_unknown_members_exist",
        "assert_clinical_raw_rows_reconcile",
    }
    assert expected <= failed, f"not failing: {expected - failed}"
    for prefix in ("relationships_fct_service_request_code_sk",
                   "expect_column_values_to_be_in_set_fct_service_request_status",
                   "unique_dim_ncit_ncit_sk"):
        assert any(n.startswith(prefix) for n in failed), f"{prefix}* did not fail"
