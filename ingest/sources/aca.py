"""ACA health insurance: which CSV files exist and which raw table each lands in."""

from __future__ import annotations

import re
from pathlib import Path

from ingest import config
from ingest.readers import read_csv_text

DOMAIN = "aca"

# File name -> raw table. Daily files are `<entity>_<YYYY-MM-DD>.csv`; the crosswalk of
# counties to rating areas comes in the layout CMS publishes (our generator writes
# `rating_areas.csv`, CMS names it `CountyRAs.csv`).
TABLE_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(rating_areas|countyras)(_.*)?\.csv$", re.I), "rating_areas"),
    (re.compile(r"^(members)_\d{4}-\d{2}-\d{2}\.csv$"), "members"),
    (re.compile(r"^(plans)_\d{4}-\d{2}-\d{2}\.csv$"), "plans"),
    (re.compile(r"^(providers)_\d{4}-\d{2}-\d{2}\.csv$"), "providers"),
    (re.compile(r"^(enrollments)_\d{4}-\d{2}-\d{2}\.csv$"), "enrollments"),
    (re.compile(r"^(claim_lines)_\d{4}-\d{2}-\d{2}\.csv$"), "claim_lines"),
]

# The columns each table's files must have (the staging models read every one of them). A
# file without one is refused at landing with the column named; a file with more lands, the
# extra columns kept as text in raw and in staging's `raw_row`.
EXPECTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "rating_areas": ("statefip", "state", "countyfip", "county", "ratingarea"),
    "plans": ("plan_id", "issuer_name", "plan_name", "metal_tier", "state_code", "rating_area",
              "monthly_premium_usd", "deductible_usd", "oop_max_usd", "updated_at"),
    "members": ("member_id", "first_name", "last_name", "birth_date", "gender",
                "street_address", "zip_code", "county_fips", "updated_at"),
    "providers": ("npi", "provider_name", "specialty", "county_fips", "updated_at"),
    "enrollments": ("enrollment_id", "member_id", "plan_id", "start_date", "end_date",
                    "monthly_premium_usd", "updated_at"),
    "claim_lines": ("claim_id", "line_number", "member_id", "provider_npi", "plan_id",
                    "service_date", "procedure_code", "diagnosis_code", "billed_amount_usd",
                    "allowed_amount_usd", "paid_amount_usd", "claim_status"),
}


def default_dir() -> Path:
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
        raise ValueError(f"{path.name}: not an ACA file name this loader knows")
    return read_csv_text(path, table, expected=EXPECTED_COLUMNS[table])
