"""Synthea CSV export (payers, patients, payer transitions, claims): which files exist and
which raw table each lands in. Synthea writes one file per entity (`payers.csv`, ...);
a name with a suffix (`claims_2024.csv`, `claims-part2.csv`) lands in the same table.
The other files of an export (encounters, conditions, ...) are not landed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ingest import config
from ingest.log import say
from ingest.readers import FileFormatError, read_csv_text

DOMAIN = "synthea"

TABLE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^payer_transitions([_-].*)?\.csv$", re.I), "payer_transitions"),
    (re.compile(r"^payers([_-].*)?\.csv$", re.I), "payers"),
    (re.compile(r"^patients([_-].*)?\.csv$", re.I), "patients"),
    (re.compile(r"^claims([_-].*)?\.csv$", re.I), "claims"),
]

# The columns each file must have (headers are matched case-insensitively: Synthea writes
# `Id`, `PATIENTID`, ...). A file without one is refused at landing with the column named;
# the other columns land as text and stay in staging's `raw_row`.
EXPECTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "payers": ("id", "name", "ownership", "state_headquartered"),
    "patients": ("id", "birthdate", "first", "last", "gender", "address", "zip", "fips"),
    "payer_transitions": ("patient", "start_date", "end_date", "payer"),
    "claims": ("id", "patientid", "providerid", "primarypatientinsuranceid", "diagnosis1",
               "servicedate", "status1"),
}


# The other columns of Synthea's CSV export (version 3.x): landed as text and kept in
# `raw_row` without a warning. A column in neither list lands too, with a warning.
OTHER_COLUMNS: dict[str, tuple[str, ...]] = {
    "payers": ("address", "city", "zip", "phone", "amount_covered", "amount_uncovered",
               "revenue", "covered_encounters", "uncovered_encounters", "covered_medications",
               "uncovered_medications", "covered_procedures", "uncovered_procedures",
               "covered_immunizations", "uncovered_immunizations", "unique_customers",
               "qols_avg", "member_months"),
    "patients": ("deathdate", "ssn", "drivers", "passport", "prefix", "middle", "suffix",
                 "maiden", "marital", "race", "ethnicity", "birthplace", "city", "state",
                 "county", "lat", "lon", "healthcare_expenses", "healthcare_coverage", "income"),
    "payer_transitions": ("memberid", "secondary_payer", "plan_ownership", "owner_name"),
    "claims": ("secondarypatientinsuranceid", "departmentid", "patientdepartmentid",
               *(f"diagnosis{n}" for n in range(2, 9)), "referringproviderid", "appointmentid",
               "currentillnessdate", "supervisingproviderid", "status2", "statusp",
               "outstanding1", "outstanding2", "outstandingp", "lastbilleddate1",
               "lastbilleddate2", "lastbilleddatep", "healthcareclaimtypeid1",
               "healthcareclaimtypeid2"),
}


def default_dir() -> Path:
    """Where `load synthea` looks without a path (the demo has no Synthea sample: nothing
    lands unless files are put there or named on the command line)."""
    return config.data_dir() / "sample" / DOMAIN


def table_for(path: Path) -> str | None:
    for pattern, table in TABLE_PATTERNS:
        if pattern.match(path.name):
            return table
    return None


def discover(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """Expand folders; return (files we know how to land, files we do not)."""
    known, unknown = [], []
    for p in paths:
        candidates = sorted(p.glob("*.csv")) if p.is_dir() else [p]
        for f in candidates:
            (known if table_for(f) else unknown).append(f)
    return known, unknown


def read(path: Path):
    table = table_for(path)
    if table is None:
        raise ValueError(f"{path.name}: not a Synthea file name this loader knows")
    header = read_header(path)
    if not header or header == [""]:
        return read_csv_text(path, table)  # refuses the file: empty, or a blank first line
    missing = [c for c in EXPECTED_COLUMNS[table] if c not in header]
    if missing:
        raise FileFormatError(f"{path.name}: line 1: missing column(s) {', '.join(missing)}"
                              f" (a Synthea {table} file has them)")
    known = {*EXPECTED_COLUMNS[table], *OTHER_COLUMNS[table]}
    extra = [c for c in header if c not in known]
    if extra:
        say(f"warning: {path.name}: line 1: column(s) {', '.join(extra)} not in Synthea's "
            "export as this loader knows it: landed as text, kept in raw_row")
    return read_csv_text(path, table)


def read_header(path: Path) -> list[str]:
    """The header's column names, lower-cased (as the reader lands them)."""
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as fh:
        first = fh.readline()
    return [name.strip().lower() for name in next(csv.reader([first]), [])]
