"""History: 60 simulated days landed and built in three steps keep the SCD2 invariants, a
point-in-time query returns what the source said on that day, and late-arriving facts are
re-pointed from the unknown member to the member once it arrives.

Ground truth for a member on day D is the members_<date>.csv files themselves: the last row
for that member in a file dated D or earlier. A member is also changed twice within one step
(between two builds), so history that only sees the state at build time would lose a version.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from fixtures.bad_input.reliability import build_aca, query, scalar

from ingest.generators import aca as generator
from ingest.loaders import aca as loader
from ingest.sources import aca as source

pytestmark = pytest.mark.build

DAYS = 60
START = date(2025, 1, 1)
STEPS = ((0, 20), (20, 40), (40, 60))
LATE_MEMBER = "M0LATE0001"
LATE_CLAIM = "CLATE00001"
TWICE = "M00000007"
ATTRIBUTES = ("last_name", "street_address", "zip_code", "county_fips")


def day(d: int) -> str:
    return (START + timedelta(days=d)).isoformat()


def add_row(folder: Path, table: str, d: int, row: dict) -> None:
    """Append a row to that day's file of the table (creating the file if the day has none)."""
    path = folder / f"{table}_{day(d)}.csv"
    header = list(source.EXPECTED_COLUMNS[table])
    new = not path.exists()
    with path.open("a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        if new:
            w.writerow(header)
        w.writerow([row[c] for c in header])


def member_row(folder: Path, member_id: str) -> dict:
    with (folder / f"members_{day(0)}.csv").open(encoding="utf-8", newline="") as fh:
        return next(r for r in csv.DictReader(fh) if r["member_id"] == member_id)


def craft(sample: Path) -> None:
    # a claim for a member who arrives only in the next step
    with (sample / f"claim_lines_{day(5)}.csv").open(encoding="utf-8", newline="") as fh:
        template = next(csv.DictReader(fh))
    add_row(sample, "claim_lines", 5, {**template, "claim_id": LATE_CLAIM, "line_number": "1",
                                       "member_id": LATE_MEMBER, "service_date": day(4)})
    newcomer = {**member_row(sample, "M00000003"), "member_id": LATE_MEMBER,
                "updated_at": f"{day(25)}T10:00:00"}
    add_row(sample, "members", 25, newcomer)
    # one member moving twice between two builds
    base = member_row(sample, TWICE)
    add_row(sample, "members", 42, {**base, "street_address": "1 First Move",
                                    "updated_at": f"{day(42)}T09:00:00"})
    add_row(sample, "members", 47, {**base, "street_address": "2 Second Move",
                                    "updated_at": f"{day(47)}T09:00:00"})


def source_states(sample: Path, through: int) -> dict[str, tuple]:
    """member_id -> attributes as the members files say at the end of day `through`."""
    state: dict[str, tuple] = {}
    for d in range(through + 1):
        path = sample / f"members_{day(d)}.csv"
        if not path.exists():
            continue
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                state[row["member_id"]] = tuple(row[c] for c in ATTRIBUTES)
    return state


def warehouse_states(d: int) -> dict[str, tuple]:
    at = f"cast('{day(d)} 23:59:59' as timestamp)"
    rows = query(
        f"select member_id, {', '.join(ATTRIBUTES)} from aca.dim_member "
        f"where member_sk <> '-1' and valid_from <= {at} "
        f"and (valid_to is null or valid_to > {at})"
    )
    states: dict[str, tuple] = {}
    for member_id, *values in rows:
        assert member_id not in states, f"{member_id} has two versions valid on {day(d)}"
        states[member_id] = tuple(values)
    return states


def assert_point_in_time(sample: Path, d: int, landed_through: int) -> None:
    """Members on day d read as the files said; members who arrive later are there too, in
    their first version (it reaches back in time so that earlier facts find them)."""
    warehouse = warehouse_states(d)
    source = source_states(sample, d)
    assert {m: warehouse.get(m) for m in source} == source, day(d)
    later = source_states(sample, landed_through)
    assert set(warehouse) - set(source) == set(later) - set(source), day(d)


def late_claim() -> tuple:
    return query(
        "select f.member_sk, f.geography_sk, m.member_id from aca.fct_claim_lines f "
        "left join aca.dim_member m on f.member_sk = m.member_sk "
        f"where f.claim_id = '{LATE_CLAIM}'"
    )[0]


def assert_scd2_invariants() -> None:
    # one current row per key
    assert query(
        "select member_id from aca.dim_member group by member_id "
        "having sum(case when is_current then 1 else 0 end) <> 1"
    ) == []
    # no gaps, no overlaps: each version ends where the next begins, only the last is open
    assert query(
        "select member_id from (select member_id, valid_from, valid_to, lead(valid_from) over "
        "(partition by member_id order by valid_from) as next_from from aca.dim_member) v "
        "where (next_from is null and valid_to is not null) "
        "or (next_from is not null and (valid_to is null or valid_to <> next_from)) "
        "or valid_to <= valid_from"
    ) == []


@pytest.mark.parametrize(
    "engine", ["duckdb", pytest.param("pg", marks=[pytest.mark.slow, pytest.mark.postgres])]
)
def test_sixty_days_in_three_steps_keep_history_exact(engine, request, tmp_path):
    request.getfixturevalue(f"{engine}_warehouse")
    sample = tmp_path / "sample"
    generator.generate(sample, 0.03, START, DAYS, seed=17)
    craft(sample)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "rating_areas.csv").write_bytes((sample / "rating_areas.csv").read_bytes())

    for step, (first, end) in enumerate(STEPS):
        for d in range(first, end):
            for f in sample.glob(f"*_{day(d)}.csv"):
                (inbox / f.name).write_bytes(f.read_bytes())
        loader.load([inbox])
        build_aca()
        assert_scd2_invariants()
        if step == 0:
            # the claim's member has not arrived: the line points to the unknown member
            assert late_claim()[:2] == ("-1", "-1")
        else:
            member_sk, geography_sk, member_id = late_claim()
            assert member_id == LATE_MEMBER and member_sk != "-1" and geography_sk != "-1"
        # point in time: every member on every fifth day so far equals the members files
        for d in range(first, end, 5):
            assert_point_in_time(sample, d, end - 1)

    # and after the last build, every earlier day still reads as the files said
    for d in range(0, DAYS, 5):
        assert_point_in_time(sample, d, DAYS - 1)
    # the member changed twice between two builds shows both versions
    assert warehouse_states(44)[TWICE][1] == "1 First Move"
    assert warehouse_states(50)[TWICE][1] == "2 Second Move"
    assert scalar("select count(*) from aca.fct_claim_lines where member_sk = '-1'") == 0
