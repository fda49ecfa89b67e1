"""A small export in Synthea's CSV format (payers, patients, payer transitions, claims), with
the headers, UUID ids, ISO-8601 `Z` timestamps and blank values Synthea writes: for the docs'
sample warehouse and for tests that need Synthea rows without the real sample. Not the demo's
(the registry names no Synthea generator, so `make demo` lands no Synthea data).
"""

from __future__ import annotations

import csv
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from ingest.sources import synthea as source

HEADERS = {
    table: [c.upper() if c != "id" else "Id" for c in
            (*source.EXPECTED_COLUMNS[table], *source.OTHER_COLUMNS[table])]
    for table in source.EXPECTED_COLUMNS
}
PAYERS = [("Medicaid", "GOVERNMENT"), ("Aetna", "PRIVATE"), ("Humana", "PRIVATE"),
          ("NO_INSURANCE", "NO_INSURANCE")]
FIRST = ["Debbie941", "Kerri159", "Sang383", "Lidia103", "Ashley34", "Omar12"]
LAST = ["Hills818", "Mitchell808", "Fahey393", "Ortiz21"]
COUNTIES = ["25017", "25027", "25023", ""]  # a blank FIPS, as Synthea leaves some


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=HEADERS[table], restval="")
        writer.writeheader()
        writer.writerows(rows)


def generate(out: Path, patients: int = 6, seed: int = 42) -> dict[str, int]:
    """Write payers.csv, patients.csv, payer_transitions.csv and claims.csv into `out`;
    return the rows of each. Each patient has two yearly payer periods (every third one's
    first period uninsured) and claims in 2024-2025, plus one claim from 2015 (before the
    calendar: rejected, as many of Synthea's lifetime claims are)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    payers = [{"Id": _id(rng), "NAME": name, "OWNERSHIP": owner, "AMOUNT_COVERED": "0.00",
               "AMOUNT_UNCOVERED": "0.00", "REVENUE": "0.00"} for name, owner in PAYERS]
    insured = [p["Id"] for p in payers if p["NAME"] != "NO_INSURANCE"]
    uninsured = payers[-1]["Id"]
    people, periods, claims = [], [], []
    for n in range(patients):
        patient = _id(rng)
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(25000))
        people.append({
            "Id": patient, "BIRTHDATE": born.isoformat(), "FIRST": rng.choice(FIRST),
            "LAST": rng.choice(LAST), "GENDER": rng.choice("MF"),
            "ADDRESS": f"{rng.randrange(1, 999)} Main Street",
            "ZIP": f"0{rng.randrange(1000, 2800)}",
            "FIPS": COUNTIES[n % len(COUNTIES)], "STATE": "Massachusetts",
            "HEALTHCARE_EXPENSES": f"{rng.uniform(100, 90000):.2f}", "HEALTHCARE_COVERAGE": "0.00",
        })
        start = datetime(2024, 1, 1, 9) + timedelta(days=rng.randrange(60),
                                                    seconds=rng.randrange(86400))
        for year in range(2):
            payer = uninsured if (year == 0 and n % 3 == 0) else rng.choice(insured)
            begin = start + timedelta(days=365 * year)
            end = begin + timedelta(days=365)
            periods.append({
                "PATIENT": patient, "START_DATE": _stamp(begin), "END_DATE": _stamp(end),
                "PAYER": payer, "MEMBERID": "" if payer == uninsured else _id(rng),
                "PLAN_OWNERSHIP": "" if payer == uninsured else "Self",
            })
            for _ in range(2):
                when = begin + timedelta(days=rng.randrange(360), seconds=rng.randrange(86400))
                claims.append(_claim(rng, patient, "" if payer == uninsured else payer, when))
        claims.append(_claim(rng, patient, rng.choice(insured), datetime(2015, 6, 1, 10)))
    _write(out / "payers.csv", "payers", payers)
    _write(out / "patients.csv", "patients", people)
    _write(out / "payer_transitions.csv", "payer_transitions", periods)
    _write(out / "claims.csv", "claims", claims)
    return {"payers": len(payers), "patients": len(people),
            "payer_transitions": len(periods), "claims": len(claims)}


def _claim(rng: random.Random, patient: str, payer: str, when: datetime) -> dict[str, str]:
    provider = _id(rng)
    billed = _stamp(when + timedelta(minutes=15))
    return {
        "Id": _id(rng), "PATIENTID": patient, "PROVIDERID": provider,
        "PRIMARYPATIENTINSURANCEID": payer, "DEPARTMENTID": "1", "PATIENTDEPARTMENTID": "1",
        "DIAGNOSIS1": rng.choice(["314529007", "66383009", "73595000"]),
        "APPOINTMENTID": _id(rng), "CURRENTILLNESSDATE": _stamp(when),
        "SERVICEDATE": _stamp(when), "SUPERVISINGPROVIDERID": provider, "STATUS1": "CLOSED",
        "STATUSP": "CLOSED", "OUTSTANDING1": "0", "OUTSTANDINGP": "0",
        "LASTBILLEDDATE1": billed, "LASTBILLEDDATEP": billed,
        "HEALTHCARECLAIMTYPEID1": "1", "HEALTHCARECLAIMTYPEID2": "0",
    }
