"""The semantic layer on DuckDB and PostgreSQL: every metric, queried through MetricFlow for a
fixed slice, equals the same figure computed directly from the marts in SQL.

One small sample warehouse per engine (every domain); the queries run in one MetricFlow
process (`scripts/metrics.py query`, set up as the `mf` CLI sets itself up), and the semantic
manifest validates against the built warehouse (`scripts/metrics.py validate`)."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import dbt, query

from ingest import demo

pytestmark = pytest.mark.build

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "metrics.py"
# The README's first example, asked of the `mf` CLI itself
CLI_CHECK = "aca_pmpm_by_month_and_metal_tier"

# Each check: a MetricFlow query and the SQL that computes the same rows from the marts,
# its columns in the order of MetricFlow's (group-by columns first, then the metrics).
MONTH = "cast({month} as date)"
CHECKS: dict[str, tuple[dict, str]] = {
    "aca_pmpm_by_metal_tier": (
        {
            "metrics": ["member_months", "allowed_pmpm", "paid_pmpm", "medical_loss_ratio"],
            "group_by": ["plan__metal_tier"],
        },
        """
        select metal_tier, sum(member_months),
            1.0 * sum(allowed_amount_usd) / sum(member_months),
            1.0 * sum(paid_amount_usd) / sum(member_months),
            1.0 * sum(paid_amount_usd) / sum(premium_usd)
        from aca.mart_plan_pmpm
        group by metal_tier
        """,
    ),
    "aca_pmpm_by_month_and_metal_tier": (
        {
            "metrics": ["allowed_pmpm", "paid_pmpm", "medical_loss_ratio"],
            "group_by": ["metric_time__month", "plan__metal_tier"],
        },
        """
        select month_start_date, metal_tier,
            1.0 * sum(allowed_amount_usd) / sum(member_months),
            1.0 * sum(paid_amount_usd) / sum(member_months),
            1.0 * sum(paid_amount_usd) / sum(premium_usd)
        from aca.mart_plan_pmpm
        group by month_start_date, metal_tier
        """,
    ),
    "aca_rolling_30_days_by_plan": (
        {
            "metrics": ["allowed_amount_30d"],
            "group_by": ["metric_time__day", "claim_line__plan_id"],
            # agg_plan_performance ends on the latest service date; the metric goes on over
            # the time spine until the last window closes
            "where": ["{{ TimeDimension('metric_time', 'day') }} <= '{last_service_date}'"],
        },
        """
        select date_day, plan_id, allowed_amount_usd_30d
        from aca.agg_plan_performance
        """,
    ),
    "aca_pmpm_by_month": (
        {
            "metrics": ["allowed_pmpm", "premiums"],
            "group_by": ["metric_time__month"],
        },
        """
        select month_start_date,
            1.0 * sum(allowed_amount_usd) / sum(member_months), sum(premium_usd)
        from aca.mart_plan_pmpm
        group by month_start_date
        """,
    ),
    "aca_claims_by_specialty_and_month": (
        {
            "metrics": [
                "claim_count", "claim_line_count", "billed_amount", "allowed_amount",
                "paid_amount", "denial_rate",
            ],
            "group_by": ["metric_time__month", "provider__specialty"],
        },
        """
        select {month}, providers.specialty,
            count(distinct claims.claim_id), count(*),
            sum(claims.billed_amount_usd), sum(claims.allowed_amount_usd),
            sum(claims.paid_amount_usd),
            avg(case when claims.claim_status = 'denied' then 1.0 else 0.0 end)
        from aca.fct_claim_lines as claims
        inner join aca.dim_provider as providers on claims.provider_sk = providers.provider_sk
        group by {month}, providers.specialty
        """.replace("{month}", MONTH.format(month="date_trunc('month', claims.service_date)")),
    ),
    "aca_claims_by_member_state": (
        {
            "metrics": ["allowed_amount", "denial_rate"],
            "group_by": ["geography__state_code", "claim_line__claim_status"],
        },
        """
        select geo.state_code, claims.claim_status, sum(claims.allowed_amount_usd),
            avg(case when claims.claim_status = 'denied' then 1.0 else 0.0 end)
        from aca.fct_claim_lines as claims
        inner join aca.dim_geography as geo on claims.geography_sk = geo.geography_sk
        group by geo.state_code, claims.claim_status
        """,
    ),
    "aca_member_months_by_county": (
        {
            "metrics": ["member_months", "premiums"],
            "group_by": ["member__geography__county_name", "member__gender_code"],
        },
        """
        select geo.county_name, members.gender_code, count(*), sum(months.premium_usd)
        from aca.fct_member_months as months
        inner join aca.dim_member as members on months.member_sk = members.member_sk
        inner join aca.dim_geography as geo on members.geography_sk = geo.geography_sk
        group by geo.county_name, members.gender_code
        """,
    ),
    "aca_medical_loss_ratio_by_issuer": (
        {
            "metrics": ["premiums", "paid_amount", "medical_loss_ratio"],
            "group_by": ["metric_time__year", "plan__issuer_name", "plan__state_code"],
        },
        # where the mart has no member months or no claims, MetricFlow has nulls
        """
        select make_date(plan_year, 1, 1), issuer_name, state_code,
            case when member_months > 0 then premium_usd end,
            case when claim_line_count > 0 then paid_amount_usd end,
            case when claim_line_count > 0 then 1.0 * paid_amount_usd / nullif(premium_usd, 0) end
        from aca.mart_medical_loss_ratio
        """,
    ),
    "pm_backlog_by_month_and_priority": (
        {
            "metrics": ["open_issue_backlog"],
            "group_by": ["metric_time__month", "issue_day__priority"],
        },
        """
        with days as (
            select snapshot_date, {month} as month_start_date
            from pm.mart_pm__issue_backlog
            group by snapshot_date
        ),

        last_days as (
            select month_start_date, max(snapshot_date) as snapshot_date
            from days
            group by month_start_date
        )

        select last_days.month_start_date, backlog.priority, sum(backlog.open_issues)
        from pm.mart_pm__issue_backlog as backlog
        inner join last_days on backlog.snapshot_date = last_days.snapshot_date
        group by last_days.month_start_date, backlog.priority
        """.replace("{month}", MONTH.format(month="date_trunc('month', snapshot_date)")),
    ),
    "pm_backlog_today_by_client": (
        {
            "metrics": ["open_issue_backlog"],
            "group_by": ["project__client_id", "project__project_name"],
        },
        """
        select projects.client_id, backlog.project_name, sum(backlog.open_issues)
        from pm.mart_pm__issue_backlog as backlog
        inner join pm.dim_project as projects
            on backlog.project_id = projects.project_id and projects.is_current
        where backlog.is_latest_day
        group by projects.client_id, backlog.project_name
        """,
    ),
    "pm_issues_opened_closed_by_month": (
        {
            "metrics": ["issues_opened", "issues_closed"],
            "group_by": ["metric_time__month", "project__project_status"],
        },
        """
        select kpis.month_start_date, projects.project_status,
            sum(kpis.issues_opened), sum(kpis.issues_closed)
        from pm.fct_project_kpi_monthly as kpis
        inner join pm.dim_project as projects on kpis.project_sk = projects.project_sk
        group by kpis.month_start_date, projects.project_status
        """,
    ),
    "pm_service_delivery_by_tier": (
        {
            "metrics": ["service_revenue", "reviews_held", "on_time_review_rate"],
            "group_by": ["metric_time__month", "service__service_tier"],
        },
        """
        select month_start_date, service_tier, sum(revenue_usd), sum(reviews_held),
            1.0 * sum(reviews_on_time) / nullif(sum(reviews_held), 0)
        from pm.mart_pm__service_delivery
        group by month_start_date, service_tier
        """,
    ),
    "pm_revenue_by_client_at_the_time": (
        {
            "metrics": ["service_revenue", "issues_opened"],
            "group_by": ["metric_time__month", "project__client__client_name"],
        },
        """
        with revenue as (
            select month_start_date, project_sk, sum(revenue_usd) as revenue_usd
            from pm.fct_service_monthly_metrics
            group by month_start_date, project_sk
        ),

        opened as (
            select month_start_date, project_sk, sum(issues_opened) as issues_opened
            from pm.fct_project_kpi_monthly
            group by month_start_date, project_sk
        ),

        both_facts as (
            select
                coalesce(revenue.month_start_date, opened.month_start_date) as month_start_date,
                coalesce(revenue.project_sk, opened.project_sk) as project_sk,
                revenue.revenue_usd,
                opened.issues_opened
            from revenue
            full outer join opened
                on revenue.month_start_date = opened.month_start_date
                and revenue.project_sk = opened.project_sk
        )

        select both_facts.month_start_date, clients.client_name,
            sum(both_facts.revenue_usd), sum(both_facts.issues_opened)
        from both_facts
        left join pm.dim_project as projects on both_facts.project_sk = projects.project_sk
        left join pm.dim_client as clients
            on projects.client_id = clients.client_id
            and both_facts.month_start_date >= clients.valid_from
            and (both_facts.month_start_date < clients.valid_to or clients.valid_to is null)
        group by both_facts.month_start_date, clients.client_name
        """,
    ),
    "clinical_mapping_by_code_system": (
        {
            "metrics": [
                "service_requests", "request_codes", "auto_mapped_share", "no_match_share",
            ],
            "group_by": ["code__code_system_name"],
        },
        """
        select codes.code_system_name, count(distinct facts.service_request_id), count(*),
            avg(case when facts.mapping_state = 'auto_mapped' then 1.0 else 0.0 end),
            avg(case when facts.mapping_state = 'no_match' then 1.0 else 0.0 end)
        from clinical.fct_service_request as facts
        inner join clinical.dim_code as codes on facts.code_sk = codes.code_sk
        group by codes.code_system_name
        """,
    ),
    "clinical_requests_by_semantic_group": (
        {
            "metrics": ["service_requests", "auto_mapped_request_codes", "no_match_request_codes"],
            "group_by": ["ncit__semantic_group", "service_request_code__status"],
        },
        """
        select concepts.semantic_group, facts.status, count(distinct facts.service_request_id),
            sum(case when facts.mapping_state = 'auto_mapped' then 1 else 0 end),
            sum(case when facts.mapping_state = 'no_match' then 1 else 0 end)
        from clinical.fct_service_request as facts
        inner join clinical.dim_ncit as concepts on facts.ncit_sk = concepts.ncit_sk
        group by concepts.semantic_group, facts.status
        """,
    ),
    "ecr_cache_by_condition_and_jurisdiction": (
        {
            "metrics": ["ecr_cache_rows", "ecr_cached_codes"],
            "group_by": ["cache_entry__condition_code", "jurisdiction__jurisdiction_name"],
        },
        """
        select cache.snomed_code, places.jurisdiction_name, count(*), sum(cache.code_count)
        from ecr.refinement_cache as cache
        inner join ecr.jurisdictions as places on cache.jurisdiction_id = places.jurisdiction_id
        group by cache.snomed_code, places.jurisdiction_name
        """,
    ),
    "ecr_cache_codes_by_system": (
        {
            "metrics": ["ecr_cache_code_rows"],
            "group_by": ["cache_code__code_system", "cache_code__source_type"],
        },
        """
        select code_system, source_type, count(*)
        from ecr.refinement_cache_codes
        group by code_system, source_type
        """,
    ),
}


def _value(value):
    """One cell, comparable across MetricFlow's and the driver's types."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return float(value)
    text = str(value)
    return text[:10] if len(text) >= 10 and text[4:5] == "-" and text[7:8] == "-" else text


def _rows(rows, width: int) -> dict[tuple, list]:
    """Rows keyed by their group-by cells (the first `width`), metrics as floats."""
    keyed = {}
    for row in rows:
        cells = [_value(v) for v in row]
        key = tuple(cells[:width])
        assert key not in keyed, f"group {key} twice"
        keyed[key] = cells[width:]
    return keyed


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def metricflow(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """scripts/metrics.py in a process of its own (dbt's and MetricFlow's state is global)."""
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_LOG_PATH": str(tmp_path / "mf_logs")},
        timeout=600,
    )


def release_duckdb() -> None:
    """dbt-duckdb keeps the warehouse file open, locked, for the life of the process; close it
    so that MetricFlow's process can open the file (the next dbt command opens it again)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    if DuckDBConnectionManager._ENV is not None:
        DuckDBConnectionManager._ENV.close()
        DuckDBConnectionManager._ENV = None


def mf_cli(target_path: Path, request: dict, tmp_path: Path) -> tuple[list[str], list[list]]:
    """`mf query` as an analyst runs it, in the project root, which the CLI expects to hold
    `target/semantic_manifest.json`: a stand-in root that links the project's files and holds
    this warehouse's manifest. Returns the CSV's columns and rows (empty cells as None)."""
    root = tmp_path / "project"
    root.mkdir()
    for entry in REPO_ROOT.iterdir():
        if entry.name not in {"target", "logs", "data", "test-output", ".git", ".venv"}:
            (root / entry.name).symlink_to(entry)
    (root / "target").mkdir()
    shutil.copy(target_path / "semantic_manifest.json", root / "target")
    out = tmp_path / "mf.csv"
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("mf")), "query", "--quiet", "--csv", str(out),
            "--metrics", ",".join(request["metrics"]),
            "--group-by", ",".join(request["group_by"]),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "DBT_LOG_PATH": str(tmp_path / "mf_logs")},
        timeout=600,
    )
    assert done.returncode == 0 and out.exists(), done.stdout[-2000:] + done.stderr[-4000:]
    with out.open() as handle:
        header, *rows = list(csv.reader(handle))
    return header, [[cell if cell != "" else None for cell in row] for row in rows]


def compare(name: str, columns: list[str], rows: list[list]) -> list[str]:
    """What differs between MetricFlow's answer to CHECKS[name] and the marts' figures."""
    request, sql = CHECKS[name]
    width = len(request["group_by"])
    # MetricFlow orders the group-by columns its own way: put them in the request's order
    order = [columns.index(column) for column in request["group_by"] + request["metrics"]]
    from_metrics = _rows([[row[i] for i in order] for row in rows], width)
    from_marts = _rows(query(sql), width)
    assert from_marts, f"{name}: the marts hold no rows for this slice"
    if from_metrics.keys() != from_marts.keys():
        only_metrics = sorted(from_metrics.keys() - from_marts.keys(), key=str)[:5]
        only_marts = sorted(from_marts.keys() - from_metrics.keys(), key=str)[:5]
        return [f"{name}: groups differ: metrics only {only_metrics}, marts only {only_marts}"]
    problems = []
    for key, values in from_marts.items():
        pairs = zip(request["metrics"], values, from_metrics[key], strict=True)
        for metric, expected, got in pairs:
            if not _same(expected, None if got is None else float(got)):
                problems.append(f"{name} {key} {metric}: marts {expected}, metrics {got}")
    return problems


def test_every_metric_equals_the_marts(warehouse, tmp_path):
    demo.prepare(scale=0.02, days=4, seed=21)
    demo.land(warehouse)
    # the marts and the semantic manifest; the data tests run elsewhere
    dbt("build", "--exclude-resource-type", "test", "unit_test")
    target_path = Path(os.environ["WAREHOUSE_DBT_TARGET_PATH"])
    if warehouse.is_duckdb:
        release_duckdb()

    validated = metricflow("validate", "--target-path", str(target_path), tmp_path=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr[-4000:]

    (last_service_date,) = query("select max(service_date) from aca.fct_claim_lines")[0]
    names = list(CHECKS)
    queries = json.dumps([CHECKS[name][0] for name in names])
    queries_file = tmp_path / "queries.json"
    queries_file.write_text(queries.replace("{last_service_date}", str(last_service_date)))
    done = metricflow(
        "query", "--target-path", str(target_path), str(queries_file), tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr[-4000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    problems = []
    for name, answer in zip(names, answers, strict=True):
        problems += compare(name, answer["columns"], answer["rows"])

    columns, rows = mf_cli(target_path, CHECKS[CLI_CHECK][0], tmp_path)
    problems += [f"mf CLI: {problem}" for problem in compare(CLI_CHECK, columns, rows)]
    assert not problems, "\n".join(problems[:40])
