"""The generic tests of tests/generic/ (the expect_* tests and the project's scd2_* tests),
run by real dbt on DuckDB and PostgreSQL.

A throwaway dbt project (named `warehouse`, like the real one, so that the tests' calls to
`warehouse.expectations_*` macros resolve) gets the repository's tests/generic/ and
macros/expectations/, the seed CSVs of tests/python/fixtures/generic_tests/ (good and broken
data, plus two time series generated relative to today) and a schema file that applies every
test both ways. Each test application states in `meta.expected_failures` how many rows it
must return: 0 means it must pass, more means it must fail with exactly that many rows.
One `dbt build --store-failures` per engine checks them all.
"""

from __future__ import annotations

import csv
import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from conftest import parallel_plans_sql
from dbt.cli.main import dbtRunner, dbtRunnerResult

pytestmark = pytest.mark.build

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "python" / "fixtures" / "generic_tests"

IMPLEMENTED_TESTS = frozenset(
    path.stem for path in (REPO_ROOT / "tests" / "generic").glob("*.sql")
)
REQUIRED_TESTS = frozenset(
    {
        "expect_row_values_to_have_recent_data",
        "expect_table_aggregation_to_equal_other_table",
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal_other_table",
        "expect_table_row_count_to_equal",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_value_lengths_to_be_between",
        "expect_column_sum_to_be_between",
        "expect_column_min_to_be_between",
        "expect_column_max_to_be_between",
        "expect_column_pair_values_A_to_be_greater_than_B",
        "expect_compound_columns_to_be_unique",
        "expect_column_values_to_be_within_n_moving_stdevs",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_null",
        "expect_column_values_to_be_unique",
        "expect_column_distinct_values_to_be_in_set",
        "expect_column_distinct_values_to_equal_set",
        "expect_table_columns_to_contain_set",
        "expect_column_to_exist",
        "expect_multicolumn_sum_to_equal",
        "expect_select_column_values_to_be_unique_within_record",
    }
)

# Day-to-day noise of the generated series; a 7-day cycle, so every value also appears in
# the trailing 7-day window and stays well under 3 sigma (at most sqrt(6) = 2.45).
NOISE = (0, 3, -2, 4, -1, 2, -3)
SERIES_DAYS = 40
LEVEL_SHIFT_DAYS_AGO = 3


@dataclass(frozen=True)
class Build:
    engine: str
    result: dbtRunnerResult


# --- the throwaway project -------------------------------------------------------------------


def daily_metrics_rows(broken: bool, today: date) -> list[dict[str, object]]:
    """Daily amounts per region for the last SERIES_DAYS days (not today).

    Good: a steady series with small weekly noise, loaded the morning after each day.
    Broken: north jumps from ~100 to ~1000 LEVEL_SHIFT_DAYS_AGO days ago (one anomalous
    period whether the series is compared as logs of day-to-day ratios or as raw sums), and
    the loads are a month old apart from one load dated in the future.
    """
    rows: list[dict[str, object]] = []
    for days_ago in range(SERIES_DAYS, 0, -1):
        metric_date = today - timedelta(days=days_ago)
        for region, base in (("north", 100), ("south", 200)):
            amount = base + NOISE[days_ago % len(NOISE)]
            loaded_at = datetime.combine(metric_date, time(6, 0))
            if broken:
                if region == "north" and days_ago <= LEVEL_SHIFT_DAYS_AGO:
                    amount += 900
                loaded_at -= timedelta(days=30)
                if region == "south" and days_ago == 1:
                    loaded_at = datetime.combine(today + timedelta(days=5), time(6, 0))
            rows.append(
                {
                    "metric_date": metric_date.isoformat(),
                    "region": region,
                    "amount": amount,
                    "loaded_at": loaded_at.isoformat(sep=" "),
                }
            )
    return rows


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def make_project(root: Path, profile: dict[str, object]) -> Path:
    """Lay out a dbt project under root that uses the repository's generic tests."""
    project = root / "project"
    shutil.copytree(REPO_ROOT / "tests" / "generic", project / "tests" / "generic")
    shutil.copytree(REPO_ROOT / "macros" / "expectations", project / "macros" / "expectations")
    shutil.copytree(FIXTURES / "seeds", project / "seeds")
    shutil.copy(FIXTURES / "schema.yml.fixture", project / "seeds" / "_seeds.yml")
    today = date.today()
    write_csv(project / "seeds" / "daily_metrics_good.csv", daily_metrics_rows(False, today))
    write_csv(project / "seeds" / "daily_metrics_bad.csv", daily_metrics_rows(True, today))
    (project / "dbt_project.yml").write_text(
        "name: warehouse\n"
        "version: '1.0.0'\n"
        "config-version: 2\n"
        "profile: warehouse_generic_tests\n"
        "seed-paths: [seeds]\n"
        "macro-paths: [macros]\n"
        "test-paths: [tests]\n"
        "flags:\n"
        "  send_anonymous_usage_stats: false\n"
        "  partial_parse: false\n"
    )
    outputs = "\n".join(f"      {key}: {value!r}" for key, value in profile.items())
    (project / "profiles.yml").write_text(
        f"warehouse_generic_tests:\n  target: test\n  outputs:\n    test:\n{outputs}\n"
    )
    return project


def run_dbt(project: Path, *args: str) -> dbtRunnerResult:
    return dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(project),
            "--profiles-dir",
            str(project),
            "--log-path",
            str(project / "logs"),
            "--target-path",
            str(project / "target"),
        ]
    )


# --- PostgreSQL --------------------------------------------------------------------------------


def pg_settings() -> dict[str, object]:
    port = os.environ.get("WAREHOUSE_PG_PORT") or "5432"
    return {
        "host": os.environ.get("WAREHOUSE_PG_HOST") or "127.0.0.1",
        "port": int(port),
        "user": os.environ.get("WAREHOUSE_PG_USER") or "postgres",
        "password": os.environ.get("WAREHOUSE_PG_PASSWORD", ""),
    }


def pg_admin(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(dbname="postgres", connect_timeout=5, **pg_settings())
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def pg_database() -> Iterator[str]:
    """A uniquely named, empty PostgreSQL database, dropped afterwards."""
    import psycopg2

    name = f"warehouse_generic_tests_{uuid.uuid4().hex[:12]}"
    try:
        pg_admin(f'create database "{name}"')
        pg_admin(parallel_plans_sql(name))
    except psycopg2.OperationalError as error:
        settings = pg_settings()
        pytest.skip(f"PostgreSQL not reachable at {settings['host']}:{settings['port']}: {error}")
    try:
        yield name
    finally:
        pg_admin(f'drop database if exists "{name}" with (force)')


# --- one build per engine ----------------------------------------------------------------------


@pytest.fixture(
    scope="module",
    params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def build(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Build:
    engine: str = request.param
    root = tmp_path_factory.mktemp(f"generic_tests_{engine}")
    if engine == "duckdb":
        profile: dict[str, object] = {
            "type": "duckdb",
            "path": str(root / "generic_tests.duckdb"),
            "threads": 4,
        }
    else:
        profile = {
            "type": "postgres",
            **pg_settings(),
            "dbname": request.getfixturevalue("pg_database"),
            "schema": "generic_tests",
            "threads": 4,
        }
    project = make_project(root, profile)
    result = run_dbt(project, "build", "--store-failures")
    if result.exception is not None:
        raise result.exception
    return Build(engine, result)


def test_seeds_load(build: Build) -> None:
    seeds = [r for r in build.result.result.results if r.node.resource_type == "seed"]
    assert len(seeds) == 8
    assert all(str(r.status) == "success" for r in seeds), [(r.node.name, r.message) for r in seeds]


def test_every_test_passes_or_fails_as_expected(build: Build) -> None:
    results = [r for r in build.result.result.results if r.node.resource_type == "test"]
    assert len(results) > 100
    wrong = []
    for r in results:
        expected = r.node.config.meta.get("expected_failures")
        assert isinstance(expected, int), f"{r.node.unique_id} has no meta.expected_failures"
        status = str(r.status)
        ok = status == "pass" if expected == 0 else (status == "fail" and r.failures == expected)
        if not ok:
            wrong.append(
                f"{r.node.unique_id}: expected {expected} failing rows, "
                f"got status={status} failures={r.failures} message={r.message}"
            )
    assert not wrong, f"{build.engine}:\n" + "\n".join(wrong)


def test_every_implemented_test_is_seen_passing_and_failing(build: Build) -> None:
    assert REQUIRED_TESTS <= IMPLEMENTED_TESTS
    passing, failing = set(), set()
    for r in build.result.result.results:
        if r.node.resource_type != "test":
            continue
        name = r.node.test_metadata.name
        (passing if str(r.status) == "pass" else failing).add(name)
    assert IMPLEMENTED_TESTS - passing == set()
    assert IMPLEMENTED_TESTS - failing == set()


@pytest.mark.parametrize(
    ("table_test", "column_test", "message"),
    [
        ("", "expect_column_values_to_be_between: {arguments: {strictly: true}}", "max_value"),
        (
            "expect_compound_columns_to_be_unique: "
            "{arguments: {column_list: [order_id], ignore_row_if: never}}",
            "",
            "ignore_row_if",
        ),
        ("", "expect_column_values_to_match_regex: {arguments: {regex: '^a', flags: z}}", "flags"),
        ("", "expect_column_values_to_be_in_set: {arguments: {value_set: []}}", "value_set"),
    ],
)
def test_bad_arguments_stop_dbt_with_a_clear_message(
    tmp_path: Path, table_test: str, column_test: str, message: str
) -> None:
    project = make_project(
        tmp_path, {"type": "duckdb", "path": str(tmp_path / "parse.duckdb"), "threads": 1}
    )
    (project / "seeds" / "_seeds.yml").write_text(
        "version: 2\n"
        "seeds:\n"
        "  - name: orders_good\n"
        f"    data_tests: [{table_test}]\n"
        "    columns:\n"
        "      - name: order_id\n"
        f"        data_tests: [{column_test}]\n"
    )
    result = run_dbt(project, "parse")
    assert not result.success
    assert message in str(result.exception)
