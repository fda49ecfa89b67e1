"""Contracts and access, on a copy of the project.

Every mart has an enforced contract: a change to its SQL that renames a column or changes a
column's type fails the build with dbt's contract error, naming the column, and the table
analysts read stays as it was. A domain's staging models are private to its group: a model
of another domain that refs one fails to parse with dbt's access error.

The mart is `dim_date` (no sources, so a build takes seconds on a fresh warehouse); the view
is `ctl_tests_newly_failing`, over a control table that every dbt run creates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import copy_project, query

from ingest import dbt_runner

pytestmark = pytest.mark.build

DIM_DATE = Path("models/marts/aca/dim_date.sql")
CTL_VIEW = Path("models/ctl/ctl_tests_newly_failing.sql")


@pytest.fixture
def project(tmp_path) -> Path:
    folder = tmp_path / "project"
    copy_project(folder)
    return folder


def _dbt(project: Path, *args: str):
    return dbt_runner.invoke([*args, "--project-dir", str(project), "--profiles-dir", str(project)])


def _edit(project: Path, path: Path, old: str, new: str) -> None:
    file = project / path
    text = file.read_text()
    assert old in text, f"{path} no longer contains {old!r}"
    file.write_text(text.replace(old, new))


def _failure(result, model: str) -> str:
    """dbt's message for the one model that failed."""
    assert not result.success, "the build passed"
    failed = [r for r in result.result if str(r.status) == "error"]
    assert [r.node.name for r in failed] == [model], [(r.node.name, r.status) for r in failed]
    return failed[0].message


def _assert_contract_error(message: str, column: str) -> None:
    assert "This model has an enforced contract that failed" in message, message
    assert column in message, message


def _columns(schema: str, table: str) -> list[str]:
    return [
        row[0]
        for row in query(
            "select column_name from information_schema.columns "
            f"where table_schema = '{schema}' and table_name = '{table}' order by column_name"
        )
    ]


@pytest.mark.postgres
def test_renaming_or_retyping_a_mart_column_fails_the_build(warehouse, project):
    built = _dbt(project, "run", "--select", "dim_date", "+ctl_tests_newly_failing")
    assert built.success, [(r.node.name, r.message) for r in built.result]
    columns_before = _columns("aca", "dim_date")
    assert "calendar_year" in columns_before

    # renamed: the contract names the column the SQL no longer has
    _edit(project, DIM_DATE, "as calendar_year,", "as year_number,")
    message = _failure(_dbt(project, "run", "--select", "dim_date"), "dim_date")
    _assert_contract_error(message, "year_number")
    assert "calendar_year" in message
    assert _columns("aca", "dim_date") == columns_before

    # retyped: an integer column that became text
    _edit(project, DIM_DATE, "as year_number,", "as calendar_year,")
    _edit(
        project, DIM_DATE,
        "cast(extract(month from date_day) as integer) as calendar_month,",
        "cast(cast(extract(month from date_day) as integer) as varchar(2)) as calendar_month,",
    )
    message = _failure(_dbt(project, "run", "--select", "dim_date"), "dim_date")
    _assert_contract_error(message, "calendar_month")
    assert "data type mismatch" in message
    assert _columns("aca", "dim_date") == columns_before

    # a view with a contract: the same check, before the view is replaced
    _edit(project, CTL_VIEW, "    failing_since,\n", "    failing_since as first_failed_at,\n")
    message = _failure(
        _dbt(project, "run", "--select", "ctl_tests_newly_failing"), "ctl_tests_newly_failing"
    )
    _assert_contract_error(message, "first_failed_at")


def test_a_domain_cannot_ref_another_domains_staging(duckdb_warehouse, project):
    model = project / "models" / "marts" / "pm" / "mart_pm__members_by_zip.sql"
    model.write_text(
        "select zip_code, count(*) as members\n"
        "from {{ ref('stg_aca__members') }}\n"
        "group by zip_code\n"
    )
    parsed = _dbt(project, "parse")
    assert not parsed.success
    message = str(parsed.exception)
    assert "mart_pm__members_by_zip" in message, message
    assert "stg_aca__members" in message, message
    assert "private to the 'aca' group" in message, message

    # the domain's own marts are public: the same question from dim_member parses
    model.write_text(
        "select zip_code, count(*) as members\nfrom {{ ref('dim_member') }}\ngroup by zip_code\n"
    )
    assert _dbt(project, "parse").success
