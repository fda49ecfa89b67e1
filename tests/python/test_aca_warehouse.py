"""ACA end to end, on DuckDB and PostgreSQL: generate, land, build and test; a second day
proves the incremental path; a dirty run has its rejects counted exactly."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import dbt, query, scalar

from ingest.generators import aca as generator
from ingest.loaders import aca as loader

pytestmark = pytest.mark.build

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


def test_the_datacube_and_the_loss_ratio_agree_with_the_facts_and_breaks_are_caught(
    duckdb_warehouse,
):
    """A cell of the datacube equals a plain GROUP BY over the facts; a wrong grouping flag,
    a grand total that no longer adds up and an MLR flag that contradicts its ratio each
    fail the data tests."""
    out = sample_dir()
    generator.generate(out, 0.01, date(2025, 1, 1), 3, seed=5)
    loader.load([out])
    build()

    # paid claims and member months per metal tier and member's state (grouping_id 87:
    # month, plan, rating area, county and specialty rolled up)
    cube = query("""
        select metal_tier, state_code, claim_line_count, paid_amount_usd, member_months
        from aca.mart_claims_cube where grouping_id = 87
    """)
    claims = {
        (tier, state): (lines, paid)
        for tier, state, lines, paid in query("""
            select plans.metal_tier, geo.state_code, count(*), sum(claims.paid_amount_usd)
            from aca.fct_claim_lines as claims
            inner join aca.dim_plan as plans on claims.plan_sk = plans.plan_sk
            inner join aca.dim_geography as geo on claims.geography_sk = geo.geography_sk
            group by plans.metal_tier, geo.state_code
        """)
    }
    months = dict(
        ((tier, state), n)
        for tier, state, n in query("""
            select plans.metal_tier, geo.state_code, count(*)
            from aca.fct_member_months as months
            inner join aca.dim_plan as plans on months.plan_sk = plans.plan_sk
            inner join aca.dim_member as members on months.member_sk = members.member_sk
            inner join aca.dim_geography as geo on members.geography_sk = geo.geography_sk
            group by plans.metal_tier, geo.state_code
        """)
    )
    assert len(cube) == len(set(claims) | set(months)) > 1
    for tier, state, lines, paid, member_months in cube:
        assert (lines, paid) == claims.get((tier, state), (0, 0)), (tier, state)
        assert member_months == months.get((tier, state), 0), (tier, state)
    assert scalar("select count(distinct grouping_id) from aca.mart_claims_cube") == 48
    assert scalar(
        "select count(*) from aca.mart_claims_cube "
        "where grouping_provider_specialty = 0 and member_months is not null"
    ) == 0
    dbt("test", "--select", "mart_claims_cube mart_medical_loss_ratio")

    from ingest import warehouse

    with warehouse.connect() as con:
        con.execute("update aca.mart_claims_cube set grouping_state_code = 0 "
                    "where grouping_id = 127")
    with pytest.raises(AssertionError, match="not_be_null_mart_claims_cube_state_code"):
        dbt("test", "--select", "mart_claims_cube")
    with warehouse.connect() as con:
        con.execute("update aca.mart_claims_cube set grouping_state_code = 1, "
                    "paid_amount_usd = paid_amount_usd + 1 where grouping_id = 127")
    with pytest.raises(AssertionError, match="aggregation_to_equal_other_table_mart_claims_cube"):
        dbt("test", "--select", "mart_claims_cube")
    with warehouse.connect() as con:
        con.execute("update aca.mart_medical_loss_ratio "
                    "set meets_mlr_threshold = not meets_mlr_threshold")
    with pytest.raises(AssertionError, match="assert_medical_loss_ratio_is_consistent"):
        dbt("test", "--select", "assert_medical_loss_ratio_is_consistent")


INCREMENTAL_MODELS = {
    "staging.base_aca__members": "row_key",
    "staging.base_aca__claim_lines": "row_key",
    "aca.fct_claim_lines": "claim_id, line_number",
    "aca.agg_claims_daily_plan_provider": "service_date, plan_id, provider_npi",
    "aca.agg_claims_monthly_member": "member_id, service_month_start_date",
}


def _contents(relation: str, order_by: str) -> list[tuple]:
    return [tuple(map(str, row)) for row in query(f"select * from {relation} order by {order_by}")]


def test_incremental_models_match_a_full_rebuild_after_lines_are_replaced(warehouse):
    """A later file re-sends claim lines with a new service date, a new member and new
    amounts: the incremental run must leave every incremental model exactly as a full
    rebuild from the same raw data would, old dates and old members included."""
    out = sample_dir()
    generator.generate(out, SCALE, date(2025, 1, 1), 4, seed=5)
    loader.load([out])
    build()
    generator.add_day(out)  # new lines and changed members
    day = json.loads((out / "manifest.json").read_text())["generated_days"][-1]
    loader.load([out])
    build()

    columns = ("claim_id, line_number, member_id, provider_npi, plan_id, service_date, "
               "procedure_code, diagnosis_code, billed_amount_usd, allowed_amount_usd, "
               "paid_amount_usd, claim_status")
    # the earliest line moves to the latest date; two of the latest lines change member and
    # amounts: the old date and the old member are then touched by no other row of the file
    (moved,) = query(f"select {columns} from aca.fct_claim_lines "
                     "order by service_date, claim_id, line_number limit 1")
    remembered, repriced = query(
        f"select {columns} from aca.fct_claim_lines where member_id <> '{moved[2]}' "
        "order by service_date desc, claim_id, line_number limit 2"
    )
    latest = repriced[5]
    other_member = scalar(
        "select min(member_id) from aca.fct_claim_lines "
        f"where member_id not in ('{remembered[2]}', '{moved[2]}')"
    )
    rows = [
        [*moved[:5], latest, *moved[6:]],  # same line, a later service date
        [*remembered[:2], other_member, *remembered[3:]],  # same line, another member
        [*repriced[:8], "999.00", "500.00", "400.00", repriced[11]],  # amounts corrected
    ]
    assert moved[5] not in (remembered[5], repriced[5], latest)
    header = ("claim_id,line_number,member_id,provider_npi,plan_id,service_date,procedure_code,"
              "diagnosis_code,billed_amount_usd,allowed_amount_usd,paid_amount_usd,claim_status")
    next_day = date.fromisoformat(day).replace(day=date.fromisoformat(day).day + 1)
    corrections = out / f"claim_lines_{next_day.isoformat()}.csv"
    corrections.write_text(header + "\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    assert len(loader.load([corrections]).files_landed) == 1
    build()
    assert str(scalar(
        f"select service_date from aca.fct_claim_lines where claim_id = '{moved[0]}' "
        f"and line_number = {moved[1]}"
    )) == str(latest)
    incremental = {rel: _contents(rel, key) for rel, key in INCREMENTAL_MODELS.items()}

    dbt("build", "--selector", "aca", "--full-refresh")
    for relation, key in INCREMENTAL_MODELS.items():
        rebuilt = _contents(relation, key)
        built = incremental[relation]
        differing = [(a, b) for a, b in zip(built, rebuilt, strict=False) if a != b]
        assert built == rebuilt, (
            f"{relation}: the incremental run left {len(built)} rows, a full rebuild makes "
            f"{len(rebuilt)}; first differing rows: {differing[:1]}"
        )


def _failed_tests(*args: str) -> set[str]:
    """dbt test with `args`; the names of the tests that failed (dbt errors fail the test)."""
    from ingest import dbt_runner

    result = dbt_runner.invoke(["test", *args])
    if result.exception is not None:
        raise AssertionError(f"dbt test raised: {result.exception}")
    return {r.node.name for r in result.result or [] if str(r.status) == "fail"}


def _compiled_unique_test(select: list[str]) -> str:
    from ingest import dbt_runner

    result = dbt_runner.invoke(["compile", *select])
    assert result.success, result.exception
    return next(r.node.compiled_code for r in result.result
                if r.node.name.startswith("unique_fct_claim_lines_claim_line_sk"))


def test_tests_after_load_checks_the_rows_of_new_loads_only(duckdb_warehouse, monkeypatch):
    out = sample_dir()
    generator.generate(out, SCALE, date(2025, 1, 1), 3, seed=3)
    first = loader.load([out])
    build()
    generator.add_day(out)
    second = loader.load([out])
    build()
    select = ["--select", "fct_claim_lines", "--exclude", "test_type:unit"]
    scoped = [*select, "--vars", f"{{tests_after_load: '{first.load_id}'}}"]
    assert "source_load_id >" not in _compiled_unique_test(select)
    monkeypatch.setenv("WAREHOUSE_TESTS_AFTER_LOAD", first.load_id)  # the same, as nightly does
    assert f"source_load_id > '{first.load_id}'" in _compiled_unique_test(select)
    monkeypatch.delenv("WAREHOUSE_TESTS_AFTER_LOAD")
    unique_test = "expect_compound_columns_to_be_unique_fct_claim_lines_claim_id__line_number"
    assert _failed_tests(*select) == set() and _failed_tests(*scoped) == set()

    # a duplicated line from the first load: the full run sees it, the scoped run does not
    query("insert into aca.fct_claim_lines select * from aca.fct_claim_lines "
          f"where source_load_id = '{first.load_id}' limit 1")
    assert any(t.startswith(unique_test) for t in _failed_tests(*select))
    scoped_failures = _failed_tests(*scoped)
    assert not any(t.startswith(unique_test) for t in scoped_failures)
    # tests of the whole table still read every row: the reconciliations see the extra line
    assert any(t.startswith("expect_table_aggregation_to_equal_other_table")
               for t in scoped_failures)

    # a duplicated line from the new load: the scoped run catches it
    query("insert into aca.fct_claim_lines select * from aca.fct_claim_lines "
          f"where source_load_id = '{second.load_id}' limit 1")
    assert any(t.startswith(unique_test) for t in _failed_tests(*scoped))

    # a value that is not a load id is refused by name, never pasted into SQL
    from ingest import dbt_runner

    bad = dbt_runner.invoke(["test", *select, "--vars", "{tests_after_load: \"1' or '1\"}"])
    assert not bad.success
    assert "tests_after_load" in str(bad.exception or [r.message for r in bad.result or []])


def test_nightly_lands_the_new_day_and_tests_claim_lines_of_new_loads(duckdb_warehouse):
    from ingest import cli, config
    from ingest.nightly import newest_completed_load

    out = sample_dir()
    generator.generate(out, SCALE, date(2025, 1, 1), 2, seed=9)
    assert newest_completed_load(config.target()) is None
    assert cli.main(["nightly", "--domains", "aca"]) == 0  # first run: every test, every row
    first = newest_completed_load(config.target())
    assert first is not None

    generator.add_day(out)
    assert cli.main(["nightly", "--domains", "aca"]) == 0
    assert newest_completed_load(config.target()) > first
    assert "WAREHOUSE_TESTS_AFTER_LOAD" not in os.environ  # set for the build only
    target_path = Path(os.environ["WAREHOUSE_DBT_TARGET_PATH"])
    results = json.loads((target_path / "run_results.json").read_text())
    scoped = [r for r in results["results"]
              if r["unique_id"].startswith("test.warehouse.unique_fct_claim_lines_claim_line_sk")]
    assert scoped and scoped[0]["status"] == "pass"
    assert f"source_load_id > '{first}'" in scoped[0]["compiled_code"]


def test_nightly_selects_a_domain_as_its_selector_in_selectors_yml_does():
    import yaml

    from ingest import config
    from ingest.domains import select_args

    spec = yaml.safe_load((config.PROJECT_ROOT / "selectors.yml").read_text())
    prefix = {"tag": "tag:", "fqn": "", "path": "path:"}
    for selector in spec["selectors"]:
        parts = selector["definition"]["union"]
        assert {p["indirect_selection"] for p in parts} == {"cautious"}
        wanted = {prefix[p["method"]] + p["value"] for p in parts}
        args = select_args([selector["name"]])
        assert set(args[1:args.index("--indirect-selection")]) == wanted
        assert args[-2:] == ["--indirect-selection", "cautious"]
