-- What failed in the last run: the failing tests and the failed invocation of the latest dbt
-- run, and every source table whose latest ingest run failed.
{{ config(materialized='view') }}

with audit_log as (
    select * from {{ ref('stg_ctl__etl_audit_log') }}
),

runs as (
    select * from {{ ref('stg_ctl__etl_run') }}
),

results as (
    select * from {{ ref('stg_ctl__data_quality_result') }}
),

ingest_ranked as (
    select
        audit_log.*,
        row_number() over (
            partition by source_name, target_table
            order by started_at desc, finished_at desc
        ) as recency
    from audit_log
),

ingest_failures as (
    select
        'ingest' as run_kind,
        run_id,
        pipeline_name as run_name,
        target_table as failed_object,
        'ingest run' as failure_kind,
        status,
        cast(null as bigint) as failing_rows,
        error_message as message,
        finished_at as failed_at
    from ingest_ranked
    where recency = 1
        and status = 'failure'
),

dbt_ranked as (
    select
        runs.*,
        row_number() over (order by started_at desc, finished_at desc) as recency
    from runs
    where run_kind = 'dbt'
),

last_dbt_run as (
    select * from dbt_ranked
    where recency = 1
),

dbt_invocation_failure as (
    select
        'dbt' as run_kind,
        run_id,
        command as run_name,
        command as failed_object,
        'dbt invocation' as failure_kind,
        status,
        cast(null as bigint) as failing_rows,
        message,
        finished_at as failed_at
    from last_dbt_run
    where status = 'failure'
),

dbt_test_failures as (
    select
        'dbt' as run_kind,
        results.run_id,
        last_dbt_run.command as run_name,
        results.test_unique_id as failed_object,
        case
            when results.test_name = 'source_freshness' then 'source freshness'
            else 'test'
        end as failure_kind,
        results.status,
        results.failing_rows,
        results.message,
        results.checked_at as failed_at
    from results
    inner join last_dbt_run
        on results.run_id = last_dbt_run.run_id
    where results.status in ('fail', 'error', 'runtime error')
),

unioned as (
    select * from ingest_failures
    union all
    select * from dbt_invocation_failure
    union all
    select * from dbt_test_failures
)

select
    run_kind,
    run_id,
    run_name,
    failed_object,
    failure_kind,
    status,
    failing_rows,
    message,
    failed_at
from unioned
