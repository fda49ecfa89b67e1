"""Bad input, kind by kind: each one lands and builds (or is refused) with a known outcome.

One warehouse per engine holds a clean sample plus a file per kind of damage; it is landed
and built once, and every test below checks one entry of the catalogue in docs/bad-data.md:
a quarantined row with a readable reason, a repaired value, or (for files that cannot be
read at all) a one-line error naming the file and line. In every case the counts reconcile:
lines read = rows landed + lines quarantined, and rows landed = rows used + rows rejected.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from fixtures.bad_input.reliability import (
    build_aca,
    cli,
    data_lines,
    file_counts,
    module_warehouse,
    query,
    read_rows,
    scalar,
    table_reconciliation,
    write_csv,
)

from ingest.generators import aca as generator
from ingest.loaders import aca as loader
from ingest.readers import REJECTED_LINES, FileFormatError
from ingest.sources import aca as source

NBSP = "\u00a0"
BIG = 1_000_000  # characters in the oversized field


# ------------------------------------------------------------------------------ inputs


def claim(template: list[str], claim_id: str, **changes: str) -> list[str]:
    header = list(source.EXPECTED_COLUMNS["claim_lines"])
    row = dict(zip(header, template, strict=True))
    row.update(claim_id=claim_id, line_number="1")
    row.update(changes)
    return [row[c] for c in header]


def changed(header: list[str], row: list[str], **changes: str) -> list[str]:
    values = dict(zip(header, row, strict=True))
    values.update(changes)
    return [values[c] for c in header]


def write_bad_files(out: Path) -> dict:
    """Write one file per kind of damage next to a clean sample; return what to look for."""
    ch, claims = read_rows(out / "claim_lines_2025-01-01.csv")
    mh, members = read_rows(out / "members_2025-01-01.csv")
    ph, plans = read_rows(out / "plans_2025-01-01.csv")
    eh, enrollments = read_rows(out / "enrollments_2025-01-01.csv")
    ph_providers, _ = read_rows(out / "providers_2025-01-01.csv")
    t = claims[0]
    m_latin, m_good, m_big, m_old, m_nbsp = (m[0] for m in members[:5])
    ctx: dict = {"member_nbsp": m_nbsp, "member_big": m_big, "plan_bom": plans[0][0],
                 "plan_nbsp": plans[1][0], "enrollment_extra": enrollments[0][0]}

    # a file cut off in the middle of its last line
    good = [claim(t, f"CREL000{i}") for i in (1, 2, 3)]
    cut = ",".join(claim(t, "CREL0004"))[:25]
    write_csv(out / "claim_lines_2025-01-03.csv", ch, [*good, cut.split(",")], end="")
    ctx["truncated_line"] = cut

    # a file with a header and nothing else
    write_csv(out / "providers_2025-01-03.csv", ph_providers, [])

    # a byte-order mark before the header; the plan's premium changes
    write_csv(out / "plans_2025-01-03.csv", ph,
              [changed(ph, plans[0], monthly_premium_usd="999.99",
                       updated_at="2025-01-03T09:00:00")], bom=True)

    # Latin-1 bytes in a UTF-8 feed: one line of two
    good_member = changed(mh, members[1], street_address="1 New Road",
                          updated_at="2025-01-03T10:00:00")
    latin = changed(mh, members[0], first_name="Peña", updated_at="2025-01-03T10:00:00")
    text = ",".join(mh) + "\n" + ",".join(good_member) + "\n"
    (out / "members_2025-01-03.csv").write_bytes(
        text.encode("utf-8") + (",".join(latin) + "\n").encode("latin-1")
    )
    ctx["member_latin"] = m_latin
    ctx["member_good"] = m_good

    # non-breaking spaces around a key, in a code and in a label
    write_csv(out / "claim_lines_2025-01-04.csv", ch, [
        claim(t, "CREL0010", member_id=f"{NBSP}{m_nbsp}{NBSP}", claim_status=f"PAID{NBSP}",
              procedure_code=f"{NBSP}{t[6]}"),
        claim(t, NBSP * 2),
    ])
    write_csv(out / "plans_2025-01-04.csv", ph, [
        changed(ph, plans[1], plan_name=f"{NBSP}Gold{NBSP}Plus{NBSP}",
                updated_at="2025-01-04T09:00:00"),
    ])

    # an extra, unexpected column
    write_csv(out / "enrollments_2025-01-03.csv", [*eh, "broker_code"],
              [[*changed(eh, enrollments[0], updated_at="2025-01-03T11:00:00"), "BRK-7"]])

    # values that do not parse, out of range, negative, blank keys, duplicates, unknown member
    values = [
        claim(t, "CREL0020", service_date="2025-02-30"),
        claim(t, "CREL0021", allowed_amount_usd="12,50"),
        claim(t, "CREL0022", allowed_amount_usd="1e3"),
        claim(t, "CREL0023", service_date="1899-12-31"),
        claim(t, "CREL0024", service_date="2999-01-01"),
        claim(t, "CREL0025", service_date="0000-01-01"),
        claim(t, "CREL0026", paid_amount_usd="-5.00"),
        claim(t, ""),
        claim(t, "   "),
        claim(t, "CREL0029", allowed_amount_usd="1000000000000.00"),
        claim(t, "CREL0030", line_number="99999999999"),
        claim(t, "CREL0031", claim_status="approved"),
        claim(t, "CREL0032", allowed_amount_usd=" 12.50 ", paid_amount_usd="5.00"),
        claim(t, "CREL0033", member_id="M0NOTHERE"),
        claim(t, "CREL0034"),
        claim(t, "CREL0034"),
        claim(t, "CREL0035", allowed_amount_usd="10.00", paid_amount_usd="5.00"),
        claim(t, "CREL0036", allowed_amount_usd="10.00", paid_amount_usd="10.01"),
    ]
    write_csv(out / "claim_lines_2025-01-05.csv", ch, values)
    ctx["values_file"] = "claim_lines_2025-01-05.csv"
    write_csv(out / "claim_lines_2025-01-06.csv", ch,
              [claim(t, "CREL0035", allowed_amount_usd="20.00", paid_amount_usd="5.00")])

    # a line break inside a quoted field (the reader does not join lines)
    write_csv(out / "claim_lines_2025-01-07.csv", ch, [
        claim(t, "CREL0040", procedure_code="99\n213"),
        claim(t, "CREL0041"),
    ])

    # an oversized field; a birth date far in the past; a whitespace-only key
    write_csv(out / "members_2025-01-05.csv", mh, [
        changed(mh, members[2], street_address="x" * BIG, updated_at="2025-01-05T08:00:00"),
        changed(mh, members[3], birth_date="1850-01-01", updated_at="2025-01-05T08:00:00"),
        changed(mh, members[4], member_id=" \t ", updated_at="2025-01-05T08:00:00"),
    ])
    ctx["member_old"] = m_old
    return ctx


# ------------------------------------------------------------------------------ the bad day


@pytest.fixture(scope="module", params=["duckdb", "pg"])
def bad_day(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"bad_day_{request.param}")
    with module_warehouse(request.param, tmp, request) as target:
        out = source.default_dir()
        generator.generate(out, 0.01, date(2025, 1, 1), 2, seed=7)
        ctx = write_bad_files(out)
        summary = loader.load([out])
        build_aca()
        yield {"target": target, "out": out, "summary": summary, **ctx}


def reject(row_key: str) -> list[str]:
    sql = f"select reject_reason from ctl.rejects where row_key = '{row_key}'"
    return [r[0] for r in query(sql)]


def fact(claim_id: str) -> list[tuple]:
    return query(
        "select line_number, member_id, member_sk, claim_status, procedure_code, "
        f"allowed_amount_usd from aca.fct_claim_lines where claim_id = '{claim_id}'"
    )


def test_counts_reconcile_for_every_file_and_table(bad_day):
    counts = file_counts()
    files = sorted(bad_day["out"].glob("*.csv"))
    assert set(counts) == {f.name for f in files}
    for f in files:
        rows, rejected = counts[f.name]
        assert data_lines(f) == rows + rejected, f.name
    for table, (raw, used, rejected) in table_reconciliation().items():
        assert raw == used + rejected, table
    assert scalar("select count(*) from aca.fct_claim_lines") == scalar(
        "select count(*) from staging.stg_aca__claim_lines"
    )


def test_truncated_file_keeps_its_complete_lines_and_quarantines_the_cut_one(bad_day):
    assert [r[0] for r in fact("CREL0001")] == [1]
    assert fact("CREL0003") and not fact("CREL0004")
    reasons = reject("claim_lines_2025-01-03.csv:line 5")
    assert reasons == ["unsplittable line: expected 12 fields, found 4"]
    assert scalar(
        "select raw_row from ctl.rejects where row_key = 'claim_lines_2025-01-03.csv:line 5'"
    ) == bad_day["truncated_line"]


def test_header_only_file_lands_as_zero_rows(bad_day):
    assert file_counts()["providers_2025-01-03.csv"] == (0, 0)
    sql = "select count(*) from ctl.rejects where row_key like 'providers_2025-01-03%'"
    assert scalar(sql) == 0


def test_byte_order_mark_is_dropped(bad_day):
    columns = [r[0] for r in query(
        "select column_name from information_schema.columns "
        "where table_schema = 'raw_aca' and table_name = 'plans'"
    )]
    assert "plan_id" in columns and not any("\ufeff" in c for c in columns)
    assert float(scalar(
        "select monthly_premium_usd from aca.dim_plan "
        f"where plan_id = '{bad_day['plan_bom']}' and is_current"
    )) == 999.99


def test_latin1_line_is_quarantined_readably_and_the_rest_of_the_file_lands(bad_day):
    assert file_counts()["members_2025-01-03.csv"] == (1, 1)
    reason, raw = query(
        "select reject_reason, raw_row from ctl.rejects "
        "where row_key = 'members_2025-01-03.csv:line 3'"
    )[0]
    assert reason.startswith("unsplittable line: not UTF-8: byte 0xf1")
    assert "Peña" in raw  # shown decoded as Windows-1252
    # the quarantined version did not replace the member's last good version
    assert scalar(
        f"select first_name from aca.dim_member where member_id = '{bad_day['member_latin']}' "
        "and is_current"
    ) != "Peña"
    assert scalar(
        f"select street_address from aca.dim_member where member_id = '{bad_day['member_good']}' "
        "and is_current"
    ) == "1 New Road"


def test_non_breaking_spaces_are_trimmed_from_keys_codes_and_labels(bad_day):
    (line, member_id, member_sk, status, procedure, _), = fact("CREL0010")
    assert member_id == bad_day["member_nbsp"] and member_sk != "-1"
    assert status == "paid" and not procedure.startswith(("\u00a0", " "))
    assert reject("claim_lines_2025-01-04.csv:2") == ["blank claim_id"]
    assert scalar(
        f"select plan_name from aca.dim_plan where plan_id = '{bad_day['plan_nbsp']}' "
        "and is_current"
    ) == "Gold Plus"


def test_extra_column_lands_and_breaks_nothing(bad_day):
    assert scalar(
        "select count(*) from information_schema.columns where table_schema = 'raw_aca' "
        "and table_name = 'enrollments' and column_name = 'broker_code'"
    ) == 1
    raw_row = scalar(
        "select raw_row from staging.base_aca__enrollments "
        "where row_key = 'enrollments_2025-01-03.csv:1'"
    )
    assert json.loads(raw_row)["broker_code"] == "BRK-7"
    assert scalar(
        "select count(*) from staging.stg_aca__enrollments "
        f"where enrollment_id = '{bad_day['enrollment_extra']}'"
    ) == 1


VALUE_CASES = [
    # (row in the file, reason), None: used
    ("unparseable date", 1, "unparseable service_date"),
    ("number with a decimal comma", 2, "unparseable or missing amount"),
    ("number in exponent notation", 3, "unparseable or missing amount"),
    ("date before the calendar", 4, "service_date outside the calendar"),
    ("date after the calendar", 5, "service_date outside the calendar"),
    ("year zero", 6, "unparseable service_date"),
    ("negative amount", 7, "negative amount"),
    ("empty key", 8, "blank claim_id"),
    ("whitespace-only key", 9, "blank claim_id"),
    ("amount beyond decimal(14, 2)", 10, "unparseable or missing amount"),
    ("line number beyond 32 bits", 11, "unparseable or missing line_number"),
    ("unknown status code", 12, "invalid claim_status"),
    ("duplicate line within one file", 15, "duplicate claim line within file"),
    ("paid above allowed", 18, "paid amount above allowed amount"),
]


@pytest.mark.parametrize(("case", "row", "reason"), VALUE_CASES, ids=[c[0] for c in VALUE_CASES])
def test_bad_value_is_rejected_with_its_reason(bad_day, case, row, reason):
    assert reject(f"{bad_day['values_file']}:{row}") == [reason]


def test_padded_number_is_trimmed_and_used(bad_day):
    assert [float(r[5]) for r in fact("CREL0032")] == [12.5]


def test_duplicate_key_keeps_one_row_within_a_file_and_the_newest_across_files(bad_day):
    assert len(fact("CREL0034")) == 1
    assert [float(r[5]) for r in fact("CREL0035")] == [20.0]
    # the earlier file's version is history, not a reject
    assert reject(f"{bad_day['values_file']}:17") == []


def test_fact_with_an_unknown_member_points_to_the_unknown_row(bad_day):
    assert [(r[1], r[2]) for r in fact("CREL0033")] == [("M0NOTHERE", "-1")]
    assert reject(f"{bad_day['values_file']}:14") == []


def test_line_break_inside_a_quoted_field_stays_in_its_value(bad_day):
    assert file_counts()["claim_lines_2025-01-07.csv"] == (2, 0)
    assert [r[4] for r in fact("CREL0040")] == ["99\n213"]
    assert fact("CREL0041")


def test_oversized_field_lands_whole(bad_day):
    assert scalar(
        "select length(street_address) from aca.dim_member "
        f"where member_id = '{bad_day['member_big']}' and is_current"
    ) == BIG


def test_member_dates_far_in_the_past_and_blank_keys_are_rejected(bad_day):
    assert reject("members_2025-01-05.csv:2") == ["birth_date out of range"]
    assert reject("members_2025-01-05.csv:3") == ["blank member_id"]


# ------------------------------------------------------------------------------ unreadable


def _clean_members(folder: Path) -> tuple[list[str], list[list[str]]]:
    header = list(source.EXPECTED_COLUMNS["members"])
    rows = [["M1", "Ann", "Lee", "1980-01-02", "F", "1 Main St", "35004", "01001",
             "2025-01-01T08:00:00"]]
    write_csv(folder / "members_2025-01-01.csv", header, rows)
    return header, rows


def _empty(p: Path, header, rows) -> None:
    p.write_bytes(b"")


def _blank_first_line(p: Path, header, rows) -> None:
    p.write_bytes(b"\n\n" + ",".join(header).encode() + b"\n")


def _semicolons(p: Path, header, rows) -> None:
    write_csv(p, header, rows, delimiter=";")


def _missing(p: Path, header, rows) -> None:
    keep = [i for i, c in enumerate(header) if c != "birth_date"]
    write_csv(p, [header[i] for i in keep], [[r[i] for i in keep] for r in rows])


def _renamed(p: Path, header, rows) -> None:
    write_csv(p, ["date_of_birth" if c == "birth_date" else c for c in header], rows)


def _duplicate_header(p: Path, header, rows) -> None:
    write_csv(p, [*header, "zip_code"], [[*r, "1"] for r in rows])


def _latin1_header(p: Path, header, rows) -> None:
    p.write_bytes(",".join([*header[:-1], "updatedé"]).encode("latin-1") + b"\n")


UNREADABLE = [
    ("empty file", _empty, r"^members_2025-01-02\.csv: line 1: empty file, expected a header row$"),
    ("blank first line", _blank_first_line, r": line 1: blank line, expected a header row$"),
    ("wrong delimiter", _semicolons,
     r": line 1: missing column\(s\) member_id, .*is the delimiter ';'\?$"),
    ("missing required column", _missing, r": line 1: missing column\(s\) birth_date$"),
    ("renamed column", _renamed,
     r": line 1: missing column\(s\) birth_date; "
     r"unexpected column\(s\) date_of_birth \(renamed\?\)"),
    ("duplicate column", _duplicate_header, r": line 1: duplicate column name\(s\) \['zip_code'\]"),
    ("header not UTF-8", _latin1_header, r": line 1: missing column\(s\) updated_at"),
]


@pytest.mark.parametrize(("case", "write", "message"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_unreadable_file_fails_the_load_with_one_line_naming_file_and_line(
    duckdb_warehouse, tmp_path, case, write, message
):
    folder = tmp_path / "in"
    folder.mkdir()
    header, rows = _clean_members(folder)
    bad = folder / "members_2025-01-02.csv"
    write(bad, header, rows)
    with pytest.raises(FileFormatError) as err:
        loader.load([folder])
    text = str(err.value)
    assert "\n" not in text and text.startswith(bad.name)
    assert re.search(message, text), text
    # the run lands nothing: the good file waits for the next run
    assert scalar(
        "select count(*) from information_schema.tables where table_schema = 'raw_aca' "
        "and table_name in ('members', '_landed_files')"
    ) == 0


def test_unknown_file_name_is_reported_and_not_landed(duckdb_warehouse, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    _clean_members(folder)
    (folder / "members-2025-01-02.csv").write_text("member_id\nM2\n")
    summary = loader.load([folder])
    assert [f.path.name for f in summary.files_landed] == ["members_2025-01-01.csv"]
    assert "members-2025-01-02.csv: not an ACA file name this loader knows" in (
        capsys.readouterr().err
    )


def test_extra_column_is_reported_at_landing(duckdb_warehouse, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    header, rows = _clean_members(folder)
    write_csv(folder / "members_2025-01-02.csv", [*header, "loyalty_tier"],
              [[*rows[0], "gold"]])
    loader.load([folder])
    err = capsys.readouterr().err
    assert "members_2025-01-02.csv: line 1: unexpected column(s) loyalty_tier" in err


def test_cli_prints_one_line_and_exits_1_on_an_unreadable_file(duckdb_warehouse, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _clean_members(folder)
    (folder / "members_2025-01-02.csv").write_bytes(b"")
    done = cli("load", "aca", str(folder), timeout=120)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert re.fullmatch(
        r"error: (FileFormatError: )?members_2025-01-02\.csv: line 1: empty file, "
        r"expected a header row", lines[0]
    ), lines


# ------------------------------------------------------------------------------ drift


@pytest.mark.build
def test_dropped_column_fails_in_staging_naming_the_column(duckdb_warehouse, tmp_path):
    """A raw table that lost a column (landed by a reader without the header check) fails the
    staging model with the column's name, never a silent null."""
    from conftest import dbt

    from ingest import runner
    from ingest.readers import read_csv_text

    folder = tmp_path / "in"
    folder.mkdir()
    header, rows = _clean_members(folder)
    _missing(folder / "members_2025-01-01.csv", header, rows)
    runner.land_files("aca", [folder / "members_2025-01-01.csv"],
                      lambda p: read_csv_text(p, "members"))
    with pytest.raises(AssertionError, match=r"(?s)base_aca__members.*birth_date"):
        dbt("run", "--select", "base_aca__members")


# ------------------------------------------------------------------------------ other domains


def test_malformed_ndjson_line_among_good_ones_is_quarantined(tmp_path):
    from ingest.sources import clinical

    good = {name: [] for name in clinical.LIST_FIELDS}
    good["service_requests"] = [{"sr_id": "SR1", "status": "active"}]
    lines = [json.dumps(good), '{"service_requests": [{"sr_id": "SR2"', json.dumps(good),
             "[1, 2]"]
    path = tmp_path / "pipeline_output.ndjson"
    path.write_text("\n".join(lines) + "\n")
    tables = dict(clinical.read(path))
    rejected = tables[REJECTED_LINES].to_pylist()
    assert sorted(r["line_number"] for r in rejected) == [2, 4]
    assert all(r["reason"] for r in rejected)
    used = tables["fragments"].num_rows
    assert used + len(rejected) == len(lines)  # lines read = used + rejected


def test_json_document_with_a_wrong_top_level_shape_is_quarantined(tmp_path):
    from ingest.sources import tes

    path = tmp_path / "condition_grouper_valuesets.json"
    path.write_text(json.dumps({"resources": [{"resourceType": "ValueSet"}]}))
    tables = dict(tes.read(path))
    (rejected,) = tables[REJECTED_LINES].to_pylist()
    assert rejected["reason"].startswith("unexpected top-level shape")
    assert tables["valuesets"].num_rows == 0



@pytest.mark.build
@pytest.mark.postgres
def test_changed_column_type_in_the_operational_database_stops_the_load_until_refreshed(
    duckdb_warehouse, pg_server, tmp_path
):
    """issues.due_date becomes text in the source and one issue gets a due date that is not a
    date: the load stops before landing anything, naming the column and the way out; with
    `--refresh issues` the table lands again in full, and the bad value is quarantined."""
    import uuid

    import sqlalchemy as sa
    from conftest import _pg_admin, dbt

    from ingest.generators import pm as pm_generator
    from ingest.loaders import pm as pm_loader
    from ingest.sources import pm as pm_source

    name = f"pm_drift_{uuid.uuid4().hex[:10]}"
    auth = pg_server["user"] + (f":{pg_server['password']}" if pg_server["password"] else "")
    url = f"postgresql://{auth}@{pg_server['host']}:{pg_server['port']}/{name}"
    try:
        pm_generator.generate(url, scale=0.02, days=2, seed=5)
        pm_loader.load(url)
        landed_before = scalar("select count(*) from raw_pm.issues")
        eng = pm_source.engine(url)
        with eng.begin() as con:
            con.execute(sa.text("alter table issues alter column due_date type text"))
            bad_id = con.execute(sa.text(
                "update issues set due_date = 'next sprint', updated_at = updated_at + "
                "interval '1 day' where issue_id = (select min(issue_id) from issues) "
                "returning issue_id"
            )).scalar_one()
            in_source = con.execute(sa.text("select count(*) from issues")).scalar_one()
        eng.dispose()

        with pytest.raises(pm_source.SourceError) as refused:
            pm_loader.load(url)
        message = str(refused.value)
        assert "\n" not in message
        assert "issues.due_date: date -> text" in message
        assert "python -m ingest load pm --refresh issues" in message
        assert scalar("select count(*) from raw_pm.issues") == landed_before
        assert scalar(
            "select count(*) from raw_pm.issues where _dlt_load_id not in "
            "(select load_id from raw_pm._dlt_loads where status = 0)"
        ) == 0

        summary = pm_loader.load(url, refresh=["issues"])
        assert summary.rows_read["issues"] == in_source
        assert scalar("select count(*) from raw_pm.issues") == in_source
        dbt("run", "--select", "+stg_pm__issues")
        assert query(
            f"select reject_reason from staging.base_pm__issues where issue_id = {bad_id}"
        ) == [("unparseable due_date",)]
        used = scalar("select count(*) from staging.stg_pm__issues")
        rejected = scalar(
            "select count(*) from staging.base_pm__issues where reject_reason is not null"
        )
        assert used + rejected == in_source
    finally:
        _pg_admin(pg_server, f"drop database if exists {name} with (force)")
