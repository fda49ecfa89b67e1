"""`try_cast` gives the same value, or null, for the same text on DuckDB and on PostgreSQL,
and on PostgreSQL it runs inside a parallel plan (the test database plans in parallel at
any size, see conftest's PARALLEL_PLANS)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from conftest import query

from ingest import dbt_runner, warehouse

pytestmark = pytest.mark.build  # compiles the macro with dbt

TYPES = {
    "as_date": "date",
    "as_timestamp": "timestamp",
    "as_integer": "integer",
    "as_smallint": "smallint",
    "as_bigint": "bigint",
    "as_decimal": "decimal(5, 2)",
    "as_double": "double",
    "as_boolean": "boolean",
}

# input -> {column: expected value}; columns not named are expected to be null
CASES: dict[str, dict[str, object]] = {
    "2024-02-29": {"as_date": date(2024, 2, 29), "as_timestamp": datetime(2024, 2, 29)},
    "2025-02-29": {},  # no leap day in 2025
    "2025-04-31": {},  # April has 30 days
    "1900-02-29": {},  # century, not a leap year
    "2000-02-29": {"as_date": date(2000, 2, 29), "as_timestamp": datetime(2000, 2, 29)},
    "2025-12-31": {"as_date": date(2025, 12, 31), "as_timestamp": datetime(2025, 12, 31)},
    "0001-01-01": {"as_date": date(1, 1, 1), "as_timestamp": datetime(1, 1, 1)},
    "0000-01-01": {},  # year zero: DuckDB reads 1 BC, PostgreSQL refuses
    "2025-13-01": {},
    "2025-00-10": {},
    "2025-1-05": {},
    "Jan 5 2025": {},  # PostgreSQL alone would read it
    "2025-01-31 23:59:59.123456": {"as_timestamp": datetime(2025, 1, 31, 23, 59, 59, 123456)},
    "2025-01-31T08:15": {"as_timestamp": datetime(2025, 1, 31, 8, 15)},
    "2025-01-31T08:15:00Z": {"as_timestamp": datetime(2025, 1, 31, 8, 15)},
    "2025-01-31 08:15:00+00:00": {"as_timestamp": datetime(2025, 1, 31, 8, 15)},
    "2025-01-31 08:15:00+0000": {"as_timestamp": datetime(2025, 1, 31, 8, 15)},
    "2025-01-31 08:15:00+01:00": {},  # another offset: the engines disagree on the instant
    "2025-01-31Z": {},  # an offset without a time of day
    "2025-01-31 24:00:00": {},  # DuckDB reads the next day, PostgreSQL too; refused
    "2025-01-31 23:59:60": {},  # PostgreSQL reads a leap second, DuckDB does not; refused
    "2025-01-31 23:60": {},
    "2025-01-31 08:15:00.1234567": {},  # beyond microseconds
    "2025-02-30 10:00": {},
    "0": {"as_integer": 0, "as_smallint": 0, "as_bigint": 0, "as_decimal": Decimal("0.00"),
          "as_double": 0.0, "as_boolean": False},
    "1": {"as_integer": 1, "as_smallint": 1, "as_bigint": 1, "as_decimal": Decimal("1.00"),
          "as_double": 1.0, "as_boolean": True},
    "+12": {"as_integer": 12, "as_smallint": 12, "as_bigint": 12, "as_decimal": Decimal("12.00"),
            "as_double": 12.0},
    "-32768": {"as_integer": -32768, "as_smallint": -32768, "as_bigint": -32768,
               "as_double": -32768.0},
    "32768": {"as_integer": 32768, "as_bigint": 32768, "as_double": 32768.0},
    "2147483647": {"as_integer": 2147483647, "as_bigint": 2147483647,
                   "as_double": 2147483647.0},
    "2147483648": {"as_bigint": 2147483648, "as_double": 2147483648.0},
    "-2147483648": {"as_integer": -2147483648, "as_bigint": -2147483648,
                    "as_double": -2147483648.0},
    "999999999999999999": {"as_bigint": 999999999999999999},
    "1000000000000000000": {},  # 19 digits: beyond the shape on every engine
    "999.994": {"as_decimal": Decimal("999.99"), "as_double": 999.994},
    "999.995": {"as_double": 999.995},  # rounds to 1000.00: beyond decimal(5, 2)
    "-999.995": {"as_double": -999.995},
    ".5": {"as_decimal": Decimal("0.50"), "as_double": 0.5},
    "7.": {"as_decimal": Decimal("7.00"), "as_double": 7.0},
    "1.005": {"as_decimal": Decimal("1.01"), "as_double": 1.005},  # half away from zero
    "1e3": {},
    "1,5": {},
    "12 ": {},  # callers trim first; untrimmed text is not a number
    ".": {},
    "-": {},
    "": {},
    "yes": {"as_boolean": True},
    "n": {"as_boolean": False},
    "TRUE": {},  # shapes are lower case on every engine
    "on": {},
}


def _compiled_select() -> str:
    columns = ",\n".join(
        f"{{{{ try_cast('input', '{sql_type}') }}}} as {name}" for name, sql_type in TYPES.items()
    )
    inline = f"select input, {columns} from try_cast_cases"
    result = dbt_runner.invoke(["compile", "--inline", inline])
    assert result.success, result.exception
    return result.result.results[0].node.compiled_code


@pytest.mark.postgres
@pytest.mark.parametrize("engine", ["duckdb", "pg"])
def test_try_cast_gives_the_same_values_on_every_engine(engine, tmp_path, monkeypatch, request):
    from conftest import _warehouse_env

    target = _warehouse_env(engine, tmp_path, monkeypatch, request)
    placeholder = "?" if target.is_duckdb else "%s"
    with warehouse.connect(target) as con:
        cur = con.cursor()
        cur.execute("create table try_cast_cases (input text)")
        for text in CASES:
            cur.execute(f"insert into try_cast_cases values ({placeholder})", (text,))
        if not target.is_duckdb:
            cur.execute("analyze try_cast_cases")
    sql = _compiled_select()
    if not target.is_duckdb:
        plan = "\n".join(row[0] for row in query(f"explain {sql}"))
        assert "Gather" in plan and "Parallel Seq Scan" in plan, plan
    rows = {row[0]: row for row in query(sql)}
    assert set(rows) == set(CASES)
    names = list(TYPES)
    wrong = []
    for text, expected in CASES.items():
        for index, name in enumerate(names, start=1):
            got = rows[text][index]
            want = expected.get(name)
            if isinstance(want, float) and got is not None:
                got = float(got)
            if got != want:
                wrong.append(f"try_cast({text!r}, {TYPES[name]!r}) = {got!r}, expected {want!r}")
    assert not wrong, "\n".join(wrong)
