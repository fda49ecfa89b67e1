"""Synthea into the ACA star, on DuckDB: an ACA-only build first (no Synthea landed: the
Synthea staging is empty and the star is what the ACA files give), then the real Synthea
sample (../shared/data/real/aca/synthea_ma_100, SOURCES.md) plus a transitions file with
bad dates, landed and built. Each source file reconciles per payer with the star and
ctl.rejects; every reject has its reason; the ACA rows of the star are unchanged. A file
without a required column is refused at landing with one line."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO_ROOT, dbt, query, scalar

from ingest.generators import aca as aca_generator
from ingest.loaders import aca as aca_loader
from ingest.loaders import synthea as loader
from ingest.sources import aca as aca_source

pytestmark = pytest.mark.build

SAMPLE = Path("aca") / "synthea_ma_100"
CALENDAR = (date(2020, 1, 1), date(2031, 1, 1))  # vars calendar_start_date, calendar_end_date
NO_INSURANCE_REASON = "uninsured period (payer NO_INSURANCE): not an enrollment"

# the ACA star as the ACA files give it: what the Synthea union must leave alone
ACA_ROWS = {
    "dim_member": "select member_sk, member_id, valid_from, geography_sk from aca.dim_member"
                  " where source_system <> 'synthea'",
    "dim_plan": "select plan_sk, plan_id, valid_from, metal_tier from aca.dim_plan"
                " where source_system <> 'synthea'",
    "fct_claim_lines": "select claim_id, line_number, member_sk, plan_sk, provider_sk,"
                       " allowed_amount_usd, paid_amount_usd from aca.fct_claim_lines"
                       " where source_system = 'aca_csv'",
    "fct_member_months": "select member_id, month_start_date, plan_sk, premium_usd"
                         " from aca.fct_member_months where source_system = 'aca_csv'",
    "mart_plan_pmpm": "select plan_id, month_start_date, member_months, allowed_amount_usd,"
                      " paid_amount_usd from aca.mart_plan_pmpm where plan_id not like 'synthea:%'",
}


def synthea_sample(real_data: Path) -> Path:
    folder = real_data / SAMPLE
    if not folder.is_dir():
        if os.environ.get("WAREHOUSE_REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"{folder} is missing and WAREHOUSE_REQUIRE_REAL_DATA=1")
        pytest.skip(f"{folder} not found (the Synthea sample of WAREHOUSE_REAL_DATA_DIR)")
    return folder


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [{k.lower(): v for k, v in row.items()} for row in csv.DictReader(fh)]


def aca_snapshot() -> dict[str, list[tuple]]:
    return {name: sorted(query(sql), key=repr) for name, sql in ACA_ROWS.items()}


def synthea_rejects() -> list[tuple[str, str, dict]]:
    return [(table, reason, json.loads(raw)) for table, reason, raw in query(
        "select source_table, reject_reason, raw_row from ctl.rejects where domain = 'synthea'")]


def write_bad_transitions(folder: Path, payer_id: str, patient_id: str) -> Path:
    """Two transitions Synthea never writes: a start date that is no date, an end before
    the start. Both to a real payer, so that they count in that payer's reconciliation."""
    path = folder / "payer_transitions_bad.csv"
    path.write_text(
        "PATIENT,MEMBERID,START_DATE,END_DATE,PAYER,SECONDARY_PAYER,PLAN_OWNERSHIP,OWNER_NAME\n"
        f"{patient_id},,2024-13-45T00:00:00Z,2025-01-01T00:00:00Z,{payer_id},,Self,A B\n"
        f"{patient_id},,2024-06-01T00:00:00Z,2024-01-01T00:00:00Z,{payer_id},,Self,A B\n"
    )
    return path


def test_synthea_lands_into_the_aca_star_and_reconciles_per_payer(
        duckdb_warehouse, real_data, tmp_path):
    sample = synthea_sample(real_data)

    # 1. ACA alone: nothing from Synthea anywhere, its staging built empty
    out = aca_source.default_dir()
    aca_generator.generate(out, 0.02, date(2025, 1, 1), 3, seed=7)
    aca_loader.load([out])
    # the tests run once, on the build with Synthea below
    dbt("build", "--selector", "aca", "--exclude-resource-type", "test", "unit_test")
    for model in ("stg_synthea__plan_versions", "stg_synthea__member_versions",
                  "stg_synthea__enrollments", "stg_synthea__claim_lines",
                  "stg_synthea__rejects", "stg_synthea__landed_files"):
        assert scalar(f"select count(*) from staging.{model}") == 0, model
    for table in ("dim_member", "dim_plan", "fct_claim_lines", "fct_member_months"):
        assert scalar(f"select count(*) from aca.{table} where source_system = 'synthea'") == 0
    before = aca_snapshot()
    assert before["fct_claim_lines"] and before["fct_member_months"]

    # 2. the real Synthea sample and a file of bad transitions, landed in one load
    payers = rows(sample / "payers.csv")
    patients = rows(sample / "patients.csv")
    claims = rows(sample / "claims.csv")
    insured = next(p["id"] for p in payers if p["name"] != "NO_INSURANCE")
    extra = write_bad_transitions(tmp_path, insured, patients[0]["id"])
    transitions = rows(sample / "payer_transitions.csv") + rows(extra)
    summary = loader.load([sample, extra])
    assert summary.rows_by_table == {"payers": len(payers), "patients": len(patients),
                                     "payer_transitions": len(transitions),
                                     "claims": len(claims)}
    dbt("build", "--selector", "aca")

    # 3. the ACA rows of the star did not move
    assert aca_snapshot() == before

    rejects = synthea_rejects()
    assert all(reason for _, reason, _ in rejects)

    # 4. per payer: rows in each source file = rows in the star + rows rejected
    plans = Counter(pid for (pid,) in query(
        "select plan_id from aca.dim_plan where source_system = 'synthea' and is_current"))
    rejected_payers = Counter(raw["id"] for t, _, raw in rejects if t == "payers")
    for payer in {p["id"] for p in payers}:
        source = sum(1 for p in payers if p["id"] == payer)
        assert source == plans[f"synthea:{payer}"] + rejected_payers[payer], payer
    assert {reason for t, reason, _ in rejects if t == "payers"} == {
        "NO_INSURANCE payer: stands for no coverage, not a plan"}

    enrolled = Counter(pid for (pid,) in query(
        "select plan_id from staging.stg_synthea__enrollments"))
    rejected_transitions = Counter(raw["payer"] for t, _, raw in rejects
                                   if t == "payer_transitions")
    for payer, source in Counter(t["payer"] for t in transitions).items():
        assert source == enrolled[f"synthea:{payer}"] + rejected_transitions[payer], payer
    no_insurance = {p["id"] for p in payers if p["name"] == "NO_INSURANCE"}
    assert Counter(reason for t, reason, _ in rejects if t == "payer_transitions") == {
        NO_INSURANCE_REASON: sum(1 for t in transitions if t["payer"] in no_insurance),
        "unparseable START_DATE": 1,
        "END_DATE before START_DATE": 1,
    }
    # every Synthea member month comes from a landed enrollment of its plan
    assert scalar(
        "select count(*) from aca.fct_member_months as months"
        " left join staging.stg_synthea__enrollments as enrollments"
        "   on months.enrollment_id = enrollments.enrollment_id"
        "   and months.plan_id = enrollments.plan_id"
        " where months.source_system = 'synthea' and enrollments.enrollment_id is null") == 0
    assert scalar("select count(*) from aca.fct_member_months"
                  " where source_system = 'synthea' and plan_sk = '-1'") == 0

    lines = Counter(pid for (pid,) in query(
        "select coalesce(plan_id, '') from aca.fct_claim_lines where source_system = 'synthea'"))
    rejected_claims = Counter(raw["primarypatientinsuranceid"] for t, _, raw in rejects
                              if t == "claims")
    for payer, source in Counter(c["primarypatientinsuranceid"] for c in claims).items():
        star = lines[f"synthea:{payer}" if payer else ""]
        assert source == star + rejected_claims[payer], payer or "(no insurance)"
    outside = sum(1 for c in claims
                  if not CALENDAR[0].isoformat() <= c["servicedate"][:10] < CALENDAR[1].isoformat())
    assert outside > 0
    assert Counter(reason for t, reason, _ in rejects if t == "claims") == {
        "SERVICEDATE outside the calendar": outside}

    members = scalar("select count(*) from aca.dim_member where source_system = 'synthea'")
    assert members + sum(1 for t, _, _ in rejects if t == "patients") == len(patients)

    # 5. mapped as documented: keys prefixed, unknown tier, no amounts, no ACA provider
    assert scalar("select count(*) from aca.fct_claim_lines where source_system = 'synthea'"
                  " and (claim_id not like 'synthea:%' or member_id not like 'synthea:%'"
                  " or allowed_amount_usd is not null or provider_sk <> '-1')") == 0
    assert {r[0] for r in query("select distinct metal_tier from aca.dim_plan"
                                " where source_system = 'synthea'")} == {"unknown"}
    assert scalar("select count(*) from aca.fct_claim_lines where source_system = 'synthea'"
                  " and member_sk = '-1'") == 0
    assert scalar("select count(*) from ctl.loaded_files where domain = 'synthea'") == 5


def test_a_synthea_file_without_a_required_column_is_refused(duckdb_warehouse, tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("Id,PATIENTID,PROVIDERID,DIAGNOSIS1,STATUS1\nc1,p1,d1,123,CLOSED\n")
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "load", "synthea", str(path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    errors = [line for line in (done.stdout + done.stderr).splitlines() if "error" in line]
    assert errors and "missing column(s) primarypatientinsuranceid, servicedate" in errors[-1]
    assert "Traceback" not in done.stderr


def test_a_folder_without_synthea_files_is_refused(duckdb_warehouse, tmp_path):
    (tmp_path / "encounters.csv").write_text("Id\n1\n")
    done = subprocess.run(
        [sys.executable, "-m", "ingest", "load", "synthea", str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 1
    assert "no Synthea file" in done.stdout + done.stderr


@pytest.mark.postgres
def test_a_generated_synthea_export_builds_into_the_aca_star_on_postgres(pg_warehouse, tmp_path):
    from ingest.generators import synthea as synthea_generator

    out = aca_source.default_dir()
    aca_generator.generate(out, 0.02, date(2025, 1, 1), 3, seed=7)
    aca_loader.load([out])
    folder = tmp_path / "synthea"
    landed = synthea_generator.generate(folder, seed=3)
    assert loader.load([folder]).rows_by_table == landed
    dbt("build", "--selector", "aca")  # with the raw-rows and claim-lines reconciliations

    claims = rows(folder / "claims.csv")
    transitions = rows(folder / "payer_transitions.csv")
    in_calendar = [c for c in claims
                   if CALENDAR[0].isoformat() <= c["servicedate"][:10] < CALENDAR[1].isoformat()]
    assert scalar("select count(*) from aca.fct_claim_lines"
                  " where source_system = 'synthea'") == len(in_calendar)
    assert scalar("select count(*) from aca.fct_claim_lines where source_system = 'synthea'"
                  " and plan_id is null") == sum(1 for c in in_calendar
                                                  if not c["primarypatientinsuranceid"])
    assert scalar("select count(*) from aca.dim_member"
                  " where source_system = 'synthea'") == landed["patients"]
    uninsured = sum(1 for t in transitions if t["memberid"] == "")
    assert Counter(r[0] for r in query(
        "select reject_reason from ctl.rejects where domain = 'synthea'")) == {
        "NO_INSURANCE payer: stands for no coverage, not a plan": 1,
        NO_INSURANCE_REASON: uninsured,
        "SERVICEDATE outside the calendar": len(claims) - len(in_calendar),
    }
