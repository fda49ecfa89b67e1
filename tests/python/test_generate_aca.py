"""The ACA sample-data generator: layouts, determinism, integrity, dirty-row ground truth."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.config import PROJECT_ROOT
from ingest.generators import aca

START = date(2025, 1, 1)
STATE_NAMES = {"CA": "California", "CT": "Connecticut", "DE": "Delaware", "RI": "Rhode Island",
               "VA": "Virginia", "NC": "North Carolina"}
HEADERS = {
    "rating_areas": "statefip,state,countyfip,county,ratingarea",
    "plans": "plan_id,issuer_name,plan_name,metal_tier,state_code,rating_area,"
             "monthly_premium_usd,deductible_usd,oop_max_usd,updated_at",
    "members": "member_id,first_name,last_name,birth_date,gender,street_address,zip_code,"
               "county_fips,updated_at",
    "providers": "npi,provider_name,specialty,county_fips,updated_at",
    "enrollments": "enrollment_id,member_id,plan_id,start_date,end_date,monthly_premium_usd,"
                   "updated_at",
    "claim_lines": "claim_id,line_number,member_id,provider_npi,plan_id,service_date,"
                   "procedure_code,diagnosis_code,billed_amount_usd,allowed_amount_usd,"
                   "paid_amount_usd,claim_status",
}
MONEY = r"^[0-9]+\.[0-9]{2}$"
TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$"


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _entity(name: str) -> str:
    return "rating_areas" if name == "rating_areas.csv" else name.rsplit("_", 1)[0]


def _read(con: duckdb.DuckDBPyConnection, folder: Path, entity: str, view: str) -> None:
    pattern = str(folder / ("rating_areas.csv" if entity == "rating_areas" else f"{entity}_*.csv"))
    con.execute(
        f"create or replace view {view} as select *, "
        "cast(regexp_extract(filename, '([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as varchar) as file_day"
        f" from read_csv('{pattern}', header=true, all_varchar=true, delim=',', quote='\"',"
        " escape='\"', filename=true, auto_detect=false, columns={"
        + ", ".join(f"'{c}': 'VARCHAR'" for c in HEADERS[entity].split(","))
        + "})"
    )


def _connect(folder: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for entity in HEADERS:
        _read(con, folder, entity, entity)
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("aca_clean")
    aca.generate(out, 0.05, START, 150, 7)
    return out


@pytest.fixture(scope="module")
def dirty(tmp_path_factory) -> tuple[Path, Path]:
    """A dirty sample and the clean sample with the same seed."""
    dirty_out = tmp_path_factory.mktemp("aca_dirty")
    clean_out = tmp_path_factory.mktemp("aca_dirty_clean")
    aca.generate(dirty_out, 0.1, START, 6, 11, dirty=True, dirty_share=0.3)
    aca.generate(clean_out, 0.1, START, 6, 11)
    return dirty_out, clean_out


# ---------------------------------------------------------------------------------------------
# layouts
# ---------------------------------------------------------------------------------------------

def test_headers_and_row_counts_match_manifest(clean: Path) -> None:
    manifest = json.loads((clean / "manifest.json").read_text())
    listed = set(manifest["files"])
    on_disk = {p.name for p in clean.glob("*.csv")}
    assert listed == on_disk
    for name, entry in manifest["files"].items():
        data = (clean / name).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        lines = data.decode("utf-8").split("\n")[:-1]
        assert lines[0] == HEADERS[_entity(name)], name
        assert len(lines) - 1 == entry["rows"] == entry["clean_rows"], name
    assert manifest["generated_days"] == [
        (START + timedelta(days=d)).isoformat() for d in range(150)]
    assert manifest["parameters"] == {"seed": 7, "scale": 0.05, "start_date": "2025-01-01",
                                      "days": 150, "dirty": False, "dirty_share": 0.0}
    claims = sum(e["rows"] for e in manifest["files"].values() if e["entity"] == "claim_lines")
    assert manifest["totals"]["claim_lines"]["rows"] == claims
    # one claims file every day, full dimension files on day 0
    for entity in ("plans", "members", "providers", "enrollments", "claim_lines"):
        assert (clean / f"{entity}_2025-01-01.csv").exists()
    assert len(list(clean.glob("claim_lines_*.csv"))) == 150


def test_rating_areas_layout_is_the_cms_layout(clean: Path) -> None:
    lines = (clean / "rating_areas.csv").read_text().splitlines()[1:]
    pattern = re.compile(r"^[1-9][0-9]*,[A-Za-z ]+,[1-9][0-9]*,[A-Za-z .']+,([1-9][0-9]*)?$")
    assert all(pattern.match(line) for line in lines), [x for x in lines if not pattern.match(x)]
    assert any(line.endswith(",") for line in lines), "no county without a rating area"
    assert 60 <= len(lines) <= 120
    fips = [int(line.split(",")[2]) for line in lines]
    assert len(set(fips)) == len(fips)


def test_rating_areas_counties_are_real(clean: Path) -> None:
    default = PROJECT_ROOT.parent / "shared" / "data" / "real"
    real_dir = Path(os.environ.get("WAREHOUSE_REAL_DATA_DIR") or default)
    real = real_dir / "aca" / "cms_rating_areas" / "CountyRAs.csv"
    if not real.exists():
        if os.environ.get("WAREHOUSE_REQUIRE_REAL_DATA") == "1":
            pytest.fail(f"real data required but missing: {real}")
        pytest.skip(f"real CMS rating-area file not found at {real}")
    con = duckdb.connect()
    rows = con.execute(
        f"select s.countyfip, s.statefip, s.state, s.county, s.ratingarea,"
        f" r.statefip, r.state, r.county, r.ratingarea"
        f" from read_csv('{clean / 'rating_areas.csv'}', all_varchar=true) s"
        f" left join read_csv('{real}', all_varchar=true) r using (countyfip)"
    ).fetchall()
    for countyfip, *ours_and_real in rows:
        ours, theirs = ours_and_real[:4], ours_and_real[4:]
        assert ours == theirs, (countyfip, ours, theirs)


def test_value_formats(clean: Path) -> None:
    con = _connect(clean)
    checks = {
        "plans": f"""regexp_matches(plan_id, '^[0-9]{{5}}[A-Z]{{2}}[0-9]{{7}}$')
                  and metal_tier in ('bronze','silver','gold','platinum','catastrophic')
                  and regexp_matches(monthly_premium_usd, '{MONEY}')
                  and regexp_matches(deductible_usd, '{MONEY}')
                  and regexp_matches(oop_max_usd, '{MONEY}')
                  and cast(deductible_usd as decimal(12,2)) <= cast(oop_max_usd as decimal(12,2))
                  and regexp_matches(rating_area, '^[1-9][0-9]*$')
                  and regexp_matches(updated_at, '{TIMESTAMP}')""",
        "members": f"""regexp_matches(member_id, '^M[0-9]{{8}}$')
                    and try_cast(birth_date as date) is not null
                    and gender in ('F','M','U')
                    and regexp_matches(zip_code, '^[0-9]{{5}}$')
                    and regexp_matches(county_fips, '^[0-9]{{5}}$')
                    and length(first_name) > 0 and length(last_name) > 0
                    and regexp_matches(updated_at, '{TIMESTAMP}')""",
        "providers": f"""regexp_matches(npi, '^[12][0-9]{{9}}$')
                      and regexp_matches(specialty, '^[a-z_]+$')
                      and regexp_matches(county_fips, '^[0-9]{{5}}$')
                      and regexp_matches(updated_at, '{TIMESTAMP}')""",
        "enrollments": f"""regexp_matches(enrollment_id, '^E[0-9]{{9}}$')
                        and try_cast(start_date as date) is not null
                        and (end_date is null
                             or try_cast(end_date as date) >= cast(start_date as date))
                        and regexp_matches(monthly_premium_usd, '{MONEY}')
                        and regexp_matches(updated_at, '{TIMESTAMP}')""",
        "claim_lines": f"""regexp_matches(claim_id, '^C[0-9]+$')
                        and line_number in ('1','2','3','4','5')
                        and regexp_matches(procedure_code, '^([0-9]{{5}}|[A-Z][0-9]{{4}})$')
                        and regexp_matches(diagnosis_code, '^[A-Z][0-9]{{2}}(\\.[0-9A-Z]{{1,4}})?$')
                        and regexp_matches(billed_amount_usd, '{MONEY}')
                        and regexp_matches(allowed_amount_usd, '{MONEY}')
                        and regexp_matches(paid_amount_usd, '{MONEY}')
                        and claim_status in ('paid','denied','pending')""",
    }
    for entity, condition in checks.items():
        bad = _one(con, f"select count(*) from {entity} where not coalesce(({condition}), false)")
        assert bad == 0, entity
    # rows of later days carry an updated_at on that day
    for entity in ("plans", "members", "providers", "enrollments"):
        bad = _one(con, f"""select count(*) from {entity}
                            where file_day <> '2025-01-01' and left(updated_at, 10) <> file_day""")
        assert bad == 0, entity
    assert _one(con, "select count(distinct procedure_code) from claim_lines") >= 30
    assert _one(con, "select count(distinct diagnosis_code) from claim_lines") >= 30
    assert _one(con, "select count(distinct specialty) from providers") >= 12


def test_npi_check_digits_are_valid(clean: Path) -> None:
    con = _connect(clean)
    npis = [r[0] for r in con.execute(
        "select npi from providers union select provider_npi from claim_lines").fetchall()]
    assert len(npis) > 20
    bad = [n for n in npis if not (len(n) == 10 and _luhn_ok("80840" + n))]
    assert bad == []
    assert _one(con, "select count(*) - count(distinct npi) from providers where file_day = "
                     "'2025-01-01'") == 0


# ---------------------------------------------------------------------------------------------
# integrity of clean data
# ---------------------------------------------------------------------------------------------

def test_clean_referential_integrity(clean: Path) -> None:
    con = _connect(clean)
    con.execute("""create or replace view enrollment_now as
        select * from enrollments qualify row_number() over (
            partition by enrollment_id order by updated_at desc) = 1""")
    state_map = ", ".join(f"('{k}', '{v}')" for k, v in STATE_NAMES.items())
    con.execute(f"create table state_names(code varchar, name varchar); "
                f"insert into state_names values {state_map}")
    con.execute("""create or replace view member_state as
        select distinct m.member_id, r.state from members m
        join rating_areas r on cast(m.county_fips as int) = cast(r.countyfip as int)""")
    assert _one(con, "select count(*) from claim_lines") > 5000
    # every claim's member, provider and plan exists
    for column, entity, key in (("member_id", "members", "member_id"),
                                ("provider_npi", "providers", "npi"),
                                ("plan_id", "plans", "plan_id")):
        missing = _one(con, f"""select count(*) from claim_lines c
            where not exists (select 1 from {entity} e where e.{key} = c.{column})""")
        assert missing == 0, column
    # the member was enrolled in that plan on the service date
    uncovered = _one(con, """select count(*) from claim_lines c where not exists (
        select 1 from enrollment_now e where e.member_id = c.member_id and e.plan_id = c.plan_id
        and cast(c.service_date as date) between cast(e.start_date as date)
            and coalesce(cast(e.end_date as date), date '9999-12-31'))""")
    assert uncovered == 0
    # dimension rows exist before the services that use them (point-in-time joins match)
    for column, entity, key in (("member_id", "members", "member_id"),
                                ("provider_npi", "providers", "npi"),
                                ("plan_id", "plans", "plan_id")):
        early = _one(con, f"""select count(*) from claim_lines c join (
            select {key}, min(cast(updated_at as timestamp)) as first_seen from {entity}
            group by {key}) d on d.{key} = c.{column}
            where cast(c.service_date as date) <= cast(d.first_seen as date)""")
        assert early == 0, entity
    # members always live in one state; plans and providers are in the member's state
    assert _one(con, """select count(*) from (select member_id from member_state
                        group by member_id having count(*) > 1)""") == 0
    for table, column in (("enrollments", "plan_id"), ("claim_lines", "plan_id")):
        wrong = _one(con, f"""select count(*) from {table} x
            join plans p on p.plan_id = x.{column}
            join state_names s on s.code = p.state_code
            join member_state ms on ms.member_id = x.member_id
            where ms.state <> s.name""")
        assert wrong == 0, table
    wrong = _one(con, """select count(*) from claim_lines c
        join member_state ms on ms.member_id = c.member_id
        join (select distinct p.npi, r.state from providers p join rating_areas r
              on cast(p.county_fips as int) = cast(r.countyfip as int)) v
          on v.npi = c.provider_npi
        where v.state <> ms.state""")
    assert wrong == 0
    # plan rating areas exist in rating_areas.csv for the plan's state
    assert _one(con, """select count(*) from plans p join state_names s on s.code = p.state_code
        where not exists (select 1 from rating_areas r where r.state = s.name
                          and r.ratingarea = p.rating_area)""") == 0
    # member counties come from rating_areas.csv
    assert _one(con, """select count(*) from members m where not exists (
        select 1 from rating_areas r where cast(r.countyfip as int) = cast(m.county_fips as int))
        """) == 0


def test_enrollment_history(clean: Path) -> None:
    con = _connect(clean)
    con.execute("""create or replace view enrollment_now as
        select * from enrollments qualify row_number() over (
            partition by enrollment_id order by updated_at desc) = 1""")
    # every member has an enrollment, recorded the day the member appears
    assert _one(con, """select count(*) from (select member_id, min(file_day) d from members
        group by 1) m where not exists (select 1 from enrollments e
        where e.member_id = m.member_id and e.file_day = m.d)""") == 0
    # switches: the old enrollment ends in a later file, the next one starts the day after
    switches = con.execute("""select count(*), count(n.enrollment_id) from enrollment_now e
        left join enrollment_now n on n.member_id = e.member_id
            and cast(n.start_date as date) = cast(e.end_date as date) + 1
            and n.plan_id <> e.plan_id
        where e.end_date is not null""").fetchone()
    assert switches[0] > 5 and switches[0] == switches[1]
    assert _one(con, """select count(*) from enrollments where end_date is not null
                        and file_day = '2025-01-01'""") == 0
    # no member is enrolled twice on the same day
    assert _one(con, """select count(*) from enrollment_now a join enrollment_now b
        on a.member_id = b.member_id and a.enrollment_id < b.enrollment_id
        and cast(a.start_date as date) <= coalesce(cast(b.end_date as date), date '9999-12-31')
        and cast(b.start_date as date) <= coalesce(cast(a.end_date as date), date '9999-12-31')
        """) == 0


def test_changes_over_time(clean: Path) -> None:
    con = _connect(clean)
    later = "file_day <> '2025-01-01'"
    # members: moves, renames and new members all occur
    assert _one(con, f"select count(*) from members where {later}") > 30
    moved = _one(con, """select count(*) from members a join members b
        on a.member_id = b.member_id and b.file_day > a.file_day
        and a.street_address <> b.street_address""")
    assert moved > 10
    new = _one(con, f"""select count(distinct member_id) from members where {later}
        and member_id not in (select member_id from members where file_day = '2025-01-01')""")
    assert new > 0
    # every later plan row changes the premium or the deductible of its previous version
    unchanged = _one(con, f"""select count(*) from plans p where {later} and exists (
        select 1 from plans q where q.plan_id = p.plan_id and q.file_day = (
            select max(file_day) from plans r where r.plan_id = p.plan_id
            and r.file_day < p.file_day)
        and q.monthly_premium_usd = p.monthly_premium_usd
        and q.deductible_usd = p.deductible_usd)""")
    assert unchanged == 0
    assert _one(con, f"select count(*) from plans where {later}") > 0
    assert _one(con, f"select count(*) from providers where {later}") > 0


def test_claim_lines_clean(clean: Path) -> None:
    con = _connect(clean)
    # billed >= allowed >= paid >= 0; denied and pending pay nothing
    assert _one(con, """select count(*) from claim_lines where not (
        cast(billed_amount_usd as decimal(14,2)) >= cast(allowed_amount_usd as decimal(14,2))
        and cast(allowed_amount_usd as decimal(14,2)) >= cast(paid_amount_usd as decimal(14,2))
        and cast(paid_amount_usd as decimal(14,2)) >= 0
        and (claim_status = 'paid' or cast(paid_amount_usd as decimal(14,2)) = 0))""") == 0
    # keys unique across all days; lines numbered 1..n within a claim, claim data consistent
    assert _one(con, """select count(*) - count(distinct (claim_id, line_number))
                        from claim_lines""") == 0
    assert _one(con, """select count(*) from (select claim_id, max(cast(line_number as int)) n,
        count(*) c, count(distinct (member_id, provider_npi, plan_id, service_date,
        diagnosis_code, claim_status)) k, count(distinct file_day) f
        from claim_lines group by claim_id) where n <> c or k <> 1 or f <> 1""") == 0
    # service dates on the file's day or up to 30 days earlier, some of them late
    days = con.execute("""select min(cast(file_day as date) - cast(service_date as date)),
        max(cast(file_day as date) - cast(service_date as date)),
        avg(case when service_date < file_day then 1.0 else 0 end) from claim_lines""").fetchone()
    assert days[0] == 0 and days[1] <= 30 and 0.1 < days[2] < 0.4
    statuses = dict(con.execute(
        "select claim_status, count(*) from claim_lines group by 1").fetchall())
    assert set(statuses) == {"paid", "denied", "pending"}
    per_day = con.execute(
        "select count(*) from claim_lines group by file_day").fetchall()
    expected = 0.05 * 500_000 / 365
    assert all(abs(n - expected) < 6 * expected ** 0.5 + 5 for (n,) in per_day)


# ---------------------------------------------------------------------------------------------
# determinism, add_day, reuse
# ---------------------------------------------------------------------------------------------

def test_same_arguments_give_identical_files(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    aca.generate(a, 0.05, START, 10, 3, dirty=True)
    aca.generate(b, 0.05, START, 10, 3, dirty=True)
    aca.generate(c, 0.05, START, 10, 4, dirty=True)
    assert _files(a) == _files(b)
    assert _files(a)["claim_lines_2025-01-05.csv"] != _files(c)["claim_lines_2025-01-05.csv"]


@pytest.mark.parametrize("dirty", [False, True])
def test_add_day_equals_generating_more_days(tmp_path: Path, dirty: bool) -> None:
    short, long = tmp_path / "short", tmp_path / "long"
    aca.generate(short, 0.05, START, 4, 5, dirty=dirty, dirty_share=0.2)
    first = aca.add_day(short)
    assert first["generated_days"][-1] == "2025-01-05"
    aca.add_day(short)
    aca.generate(long, 0.05, START, 6, 5, dirty=dirty, dirty_share=0.2)
    assert _files(short) == _files(long)


def test_day_file_does_not_depend_on_run_length(tmp_path: Path) -> None:
    aca.generate(tmp_path / "a", 0.05, START, 3, 9)
    aca.generate(tmp_path / "b", 0.05, START, 8, 9)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert all(b[name] == data for name, data in a.items() if name != "manifest.json")


def test_rerun_reuses_and_mismatch_refuses(tmp_path: Path, capsys) -> None:
    out = tmp_path / "aca"
    first = aca.generate(out, 0.02, START, 3, 1)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    again = aca.generate(out, 0.02, START, 3, 1)
    assert again == first
    assert "reused" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    with pytest.raises(aca.GenerationError) as err:
        aca.generate(out, 0.02, START, 4, 1)
    message = str(err.value)
    assert "\n" not in message and "days 3 (asked 4)" in message and "delete" in message
    # the CLI entry point turns the refusal into one line on stderr and exit code 2
    parser = argparse.ArgumentParser()
    aca.add_arguments(parser)
    args = parser.parse_args(["--out", str(out), "--scale", "0.02", "--days", "3", "--seed", "2"])
    assert aca.run(args) == 2
    err_text = capsys.readouterr().err.strip()
    assert err_text.startswith("error:") and "seed 1 (asked 2)" in err_text
    assert "\n" not in err_text
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    (out / "claim_lines_2025-01-02.csv").unlink()
    with pytest.raises(aca.GenerationError, match="lacks 1 file"):
        aca.generate(out, 0.02, START, 3, 1)


def test_a_sample_advanced_with_day_is_reused_for_fewer_days(tmp_path: Path, capsys) -> None:
    """`make day && make demo`: the demo asks for the days it generated, the sample holds one
    more; it is the same sample advanced, reused untouched."""
    out = tmp_path / "aca"
    aca.generate(out, 0.02, START, 3, 1)
    advanced = aca.add_day(out)
    stamps = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    capsys.readouterr()
    assert aca.generate(out, 0.02, START, 3, 1) == advanced
    assert "advanced to 4 days" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == stamps
    with pytest.raises(aca.GenerationError, match=r"scale 0\.02 \(asked 0\.03\)"):
        aca.generate(out, 0.03, START, 3, 1)


def test_refuses_folder_with_csv_but_no_manifest(tmp_path: Path) -> None:
    (tmp_path / "claim_lines_2025-01-01.csv").write_text("x\n")
    with pytest.raises(aca.GenerationError, match="no manifest.json"):
        aca.generate(tmp_path, 0.02, START, 2, 1)
    with pytest.raises(aca.GenerationError, match="generate aca"):
        aca.add_day(tmp_path)


@pytest.mark.parametrize("kwargs", [{"scale": 0}, {"days": 0}, {"dirty_share": 0.9}])
def test_bad_parameters_are_refused(tmp_path: Path, kwargs: dict) -> None:
    params = {"scale": 0.02, "start_date": START, "days": 2, "seed": 1, **kwargs}
    with pytest.raises(aca.GenerationError):
        aca.generate(tmp_path / "x", dirty=True, **params)
    assert not (tmp_path / "x").exists()


def test_fractional_scale_sizes(tmp_path: Path) -> None:
    manifest = aca.generate(tmp_path, 0.01, START, 2, 42)
    files = manifest["files"]
    assert files["members_2025-01-01.csv"]["rows"] == 100
    assert files["plans_2025-01-01.csv"]["rows"] == 12
    assert files["providers_2025-01-01.csv"]["rows"] == 20
    assert files["enrollments_2025-01-01.csv"]["rows"] == 100
    assert 0 < files["claim_lines_2025-01-01.csv"]["rows"] < 40


def test_cli_dispatch(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    env = {**os.environ, "WAREHOUSE_DATA_DIR": str(tmp_path / "data")}
    cmd = [sys.executable, "-m", "ingest", "generate", "aca", "--out", str(out), "--scale",
           "0.01", "--days", "2", "--start-date", "2025-03-01", "--seed", "5", "--dirty"]
    done = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([sys.executable, "-m", "ingest", "day", "aca", "--out", str(out)],
                          cwd=PROJECT_ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generated_days"] == ["2025-03-01", "2025-03-02", "2025-03-03"]
    assert manifest["parameters"]["dirty"] is True
    assert (out / "claim_lines_2025-03-03.csv").exists()


# ---------------------------------------------------------------------------------------------
# dirty mode
# ---------------------------------------------------------------------------------------------

CLAIM_FLAGS = {
    "blank_key": "trim(coalesce(claim_id, '')) = ''",
    "unparseable_date": "try_cast(service_date as date) is null",
    "unparseable_amount": " or ".join(f"try_cast({c} as decimal(14,2)) is null" for c in (
        "billed_amount_usd", "allowed_amount_usd", "paid_amount_usd")),
    "negative_amount": " or ".join(f"coalesce(try_cast({c} as decimal(14,2)) < 0, false)" for c in (
        "billed_amount_usd", "allowed_amount_usd", "paid_amount_usd")),
    "unknown_member":
        "member_id not in (select member_id from members where member_id is not null)",
}


def test_dirty_claims_counts_match_manifest(dirty: tuple[Path, Path]) -> None:
    out, _ = dirty
    manifest = json.loads((out / "manifest.json").read_text())
    con = _connect(out)
    flags = ", ".join(f"coalesce(({sql}), false)::int as {kind}"
                      for kind, sql in CLAIM_FLAGS.items())
    con.execute(f"create table flagged as select *, {flags} from claim_lines")
    total_sum = " + ".join(CLAIM_FLAGS)
    assert _one(con, f"select count(*) from flagged where {total_sum} > 1") == 0
    # a flagged row is otherwise valid: its other amounts parse and keep their order
    assert _one(con, """select count(*) from flagged where negative_amount = 1 and not (
        cast(billed_amount_usd as decimal(14,2)) >= cast(allowed_amount_usd as decimal(14,2))
        and cast(allowed_amount_usd as decimal(14,2)) >= cast(paid_amount_usd as decimal(14,2)))
        """) == 0
    seen_kinds = set()
    for name, entry in manifest["files"].items():
        if entry["entity"] != "claim_lines":
            continue
        day = entry["date"]
        counts = dict(zip(CLAIM_FLAGS, con.execute(
            f"select {', '.join(f'sum({k})' for k in CLAIM_FLAGS)} from flagged "
            f"where file_day = '{day}'").fetchone(), strict=True))
        counts["duplicate_line"] = _one(con, f"""select coalesce(sum(n - 1), 0) from (
            select count(*) n from claim_lines where file_day = '{day}'
            group by all_columns_except_filename) where n > 1""".replace(
            "all_columns_except_filename", HEADERS["claim_lines"]))
        assert {k: int(v) for k, v in counts.items()} == {
            k: entry["injected"][k] for k in counts}, name
        total = _one(con, f"select count(*) from claim_lines where file_day = '{day}'")
        assert total == entry["rows"] == entry["clean_rows"] + sum(entry["injected"].values())
        seen_kinds |= {k for k, v in entry["injected"].items() if v}
        assert sum(entry["injected"].values()) == round(0.3 * entry["clean_rows"])
    assert seen_kinds == set(aca.CLAIM_DEFECTS)
    # the decimal-comma amounts are quoted, so every row keeps its 12 fields
    assert _one(con, "select count(*) from claim_lines where claim_status is null") == 0


def test_dirty_rows_are_added_to_unchanged_clean_rows(dirty: tuple[Path, Path]) -> None:
    dirty_out, clean_out = dirty
    manifest = json.loads((dirty_out / "manifest.json").read_text())
    for name, entry in manifest["files"].items():
        dirty_lines = (dirty_out / name).read_text().split("\n")
        clean_lines = (clean_out / name).read_text().split("\n")
        assert len(dirty_lines) - len(clean_lines) == sum(entry["injected"].values()), name
        remaining = iter(dirty_lines)
        assert all(line in remaining for line in clean_lines), name  # a subsequence, in order
        # repeated lines are exactly the injected duplicates, each after its original
        seen: set[str] = set()
        repeats = 0
        for line in dirty_lines:
            if line in seen:
                repeats += 1
                assert line in clean_lines
            seen.add(line)
        assert repeats == entry["injected"].get("duplicate_line", 0), name


def test_dirty_members_counts_match_manifest(dirty: tuple[Path, Path]) -> None:
    out, _ = dirty
    manifest = json.loads((out / "manifest.json").read_text())
    entry = manifest["files"]["members_2025-01-01.csv"]
    con = duckdb.connect()
    _read(con, out, "members", "members")
    day0 = "file_day = '2025-01-01'"
    blank = _one(con, f"select count(*) from members where {day0} and "
                      "trim(coalesce(member_id, '')) = ''")
    bad_date = _one(con, f"select count(*) from members where {day0} and "
                         "try_cast(birth_date as date) is null")
    both = _one(con, f"select count(*) from members where {day0} and "
                     "trim(coalesce(member_id, '')) = '' and try_cast(birth_date as date) is null")
    assert entry["injected"] == {"unparseable_date": bad_date, "blank_key": blank}
    assert both == 0 and blank > 0 and bad_date > 0
    assert blank + bad_date == round(0.3 * entry["clean_rows"])
    # rows with a bad birth date have their own ids, unused by anything else
    assert _one(con, f"""select count(*) from members where {day0}
        and try_cast(birth_date as date) is null and member_id in (
            select member_id from members where try_cast(birth_date as date) is not null)""") == 0
    later = [e for e in manifest["files"].values()
             if e["entity"] == "members" and e["date"] != "2025-01-01"]
    assert later and all(sum(e["injected"].values()) == 0 for e in later)


# ---------------------------------------------------------------------------------------------
# speed
# ---------------------------------------------------------------------------------------------

def test_scale_one_size(tmp_path: Path) -> None:
    started = time.perf_counter()
    manifest = aca.generate(tmp_path, 1.0, START, 40, 42)
    elapsed = time.perf_counter() - started
    lines = manifest["totals"]["claim_lines"]["rows"]
    per_minute = lines / elapsed * 60
    digest = hashlib.sha256((tmp_path / "claim_lines_2025-02-01.csv").read_bytes()).hexdigest()
    print(f"\nACA generator, scale 1: {lines:,} claim lines in {elapsed:.2f} s "
          f"= {per_minute:,.0f} lines/minute (day 32 sha256 {digest[:12]})")
    assert 40 * 1200 < lines < 40 * 1550
