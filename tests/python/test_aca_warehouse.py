"""ACA end to end, on DuckDB and PostgreSQL: generate, land, build and test; a second day
proves the incremental path; a dirty run has its rejects counted exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import dbt, query, scalar

from ingest.generators import aca as generator
from ingest.loaders import aca as loader

SCALE = 0.1
DAYS = 6


def sample_dir() -> Path:
    from ingest.sources import aca

    return aca.default_dir()


def build() -> None:
    dbt("build", "--selector", "aca")


def test_generate_land_build_then_a_second_day_is_incremental(warehouse):
    out = sample_dir()
    manifest = generator.generate(out, SCALE, date(2025, 1, 1), DAYS, seed=11)
    first = loader.load([out])
    assert len(first.files_landed) == len(list(out.glob("*.csv")))
    build()

    # every clean usable claim line reached the fact; nothing was rejected in clean data
    clean_lines = manifest["totals"]["claim_lines"]["rows"]
    assert scalar("select count(*) from aca.fct_claim_lines") == clean_lines
    assert scalar("select count(*) from ctl.rejects") == 0
    assert scalar("select count(*) from ctl.loaded_files") == len(first.files_landed)
    versions_before = scalar("select count(*) from aca.dim_member")

    # the same files again: nothing lands
    again = loader.load([out])
    assert again.files_landed == [] and len(again.files_skipped) == len(first.files_landed)

    # next day: only that day's files land; the fact grows by exactly that day's lines
    generator.add_day(out)
    day = json.loads((out / "manifest.json").read_text())
    new_day = day["generated_days"][-1]
    new_files = sorted(f for f in day["files"] if new_day in f)
    second = loader.load([out])
    assert sorted(f.path.name for f in second.files_landed) == new_files
    build()
    new_lines = day["files"][f"claim_lines_{new_day}.csv"]["rows"]
    assert scalar("select count(*) from aca.fct_claim_lines") == clean_lines + new_lines
    landed_that_day = scalar(
        f"select count(*) from aca.fct_claim_lines where source_load_id = '{second.load_id}'"
    )
    assert landed_that_day == new_lines

    # members changed that day get a new version, the old one closed where the new one starts
    changed = day["files"].get(f"members_{new_day}.csv", {}).get("rows", 0)
    assert changed > 0, "the generator changes some members every day"
    multi = query(
        "select member_id, count(*) from aca.dim_member group by member_id having count(*) > 1"
    )
    assert len(multi) > 0
    assert scalar("select count(*) from aca.dim_member") > versions_before
    assert scalar(
        "select count(*) from aca.dim_member m join aca.dim_member n "
        "on m.member_id = n.member_id and n.version_number = m.version_number + 1 "
        "where m.valid_to <> n.valid_from"
    ) == 0


def test_dirty_rows_are_rejected_and_counted_exactly(duckdb_warehouse):
    out = sample_dir()
    manifest = generator.generate(out, SCALE, date(2025, 1, 1), 3, seed=5, dirty=True)
    loader.load([out])
    build()
    injected = {"claim_lines": {}, "members": {}}
    for meta in manifest["files"].values():
        for kind, n in meta.get("injected", {}).items():
            bucket = injected[meta["entity"]]
            bucket[kind] = bucket.get(kind, 0) + n

    rejects = dict(
        ((table, reason), n)
        for table, reason, n in query(
            "select source_table, reject_reason, count(*) from ctl.rejects group by 1, 2"
        )
    )
    claims = injected["claim_lines"]
    expected = {
        ("claim_lines", "unparseable service_date"): claims.get("unparseable_date", 0),
        ("claim_lines", "unparseable or missing amount"): claims.get("unparseable_amount", 0),
        ("claim_lines", "negative amount"): claims.get("negative_amount", 0),
        ("claim_lines", "blank claim_id"): claims.get("blank_key", 0),
        ("claim_lines", "duplicate claim line within file"): claims.get("duplicate_line", 0),
        ("members", "unparseable birth_date"): injected["members"].get("unparseable_date", 0),
        ("members", "blank member_id"): injected["members"].get("blank_key", 0),
    }
    expected = {k: v for k, v in expected.items() if v}
    assert all(v > 0 for v in expected.values()) and len(expected) == 7
    assert rejects == expected

    # unknown members are not rejected: their lines point to the unknown member row
    assert scalar("select count(*) from aca.fct_claim_lines where member_sk = '-1'") == claims[
        "unknown_member"
    ]
    # raw = used + rejected holds (also a dbt test); and the fact holds every usable line
    raw = scalar("select count(*) from raw_aca.claim_lines")
    used = scalar("select count(*) from staging.base_aca__claim_lines where reject_reason is null")
    assert raw == used + sum(v for (t, _), v in rejects.items() if t == "claim_lines")


def test_real_cms_crosswalk_lands_and_its_quirks_are_handled(duckdb_warehouse, real_data):
    crosswalk = real_data / "aca" / "cms_rating_areas" / "CountyRAs.csv"
    out = sample_dir()
    generator.generate(out, 0.01, date(2025, 1, 1), 2, seed=3)
    (out / "rating_areas.csv").unlink()  # the real CMS file replaces the generated one
    loader.load([out, crosswalk])
    build()
    published = sum(1 for _ in crosswalk.open(encoding="utf-8")) - 1
    assert scalar("select count(*) from staging.stg_aca__rating_areas") == published
    # integer FIPS codes are zero-padded; Autauga, AL is 01001
    assert query(
        "select state_code, county_name from aca.dim_geography where county_fips = '01001'"
    ) == [("AL", "Autauga")]
    # the published file's mis-encoded county name is corrected
    assert scalar("select county_name from aca.dim_geography where county_fips = '35013'") == (
        "Doña Ana"
    )
    # states that rate by 3-digit ZIP have no county rating area, and say so
    assert scalar(
        "select count(*) from aca.dim_geography where state_code = 'AK' and not is_rated_by_zip3"
    ) == 0


def test_a_broken_reconciliation_is_caught(duckdb_warehouse):
    """The reconciliation test can fail: a reject that goes missing is noticed."""
    out = sample_dir()
    generator.generate(out, 0.01, date(2025, 1, 1), 2, seed=8, dirty=True, dirty_share=0.2)
    loader.load([out])
    build()
    from ingest import warehouse

    assert scalar("select count(*) from ctl.rejects where source_table = 'claim_lines'") > 0

    with warehouse.connect() as con:
        con.execute("delete from ctl.rejects where source_table = 'claim_lines'")
    with pytest.raises(AssertionError, match="assert_raw_rows_reconcile"):
        dbt("test", "--select", "assert_raw_rows_reconcile")
