-- Which tests started failing since yesterday: tests whose latest result fails (or warns)
-- and whose current run of failures began less than a day ago (after their last pass).
{{ config(materialized='view') }}

with results as (
    select * from {{ ref('stg_ctl__data_quality_result') }}
    where status <> 'skipped'
),

ranked as (
    select
        results.*,
        row_number() over (partition by test_unique_id order by checked_at desc) as recency
    from results
),

latest as (
    select * from ranked
    where recency = 1
        and is_failing
),

last_pass as (
    select
        test_unique_id,
        max(checked_at) as last_passed_at
    from results
    where status = 'pass'
    group by test_unique_id
),

failing_since as (
    select
        results.test_unique_id,
        min(results.checked_at) as failing_since
    from results
    left join last_pass
        on results.test_unique_id = last_pass.test_unique_id
    where results.is_failing
        and (last_pass.last_passed_at is null or results.checked_at > last_pass.last_passed_at)
    group by results.test_unique_id
),

newly_failing as (
    select
        latest.test_name,
        latest.test_unique_id,
        latest.model,
        latest.column_name,
        latest.severity,
        latest.status,
        latest.failing_rows,
        latest.message,
        failing_since.failing_since,
        last_pass.last_passed_at,
        latest.checked_at as last_checked_at,
        latest.run_id as last_run_id
    from latest
    inner join failing_since
        on latest.test_unique_id = failing_since.test_unique_id
    left join last_pass
        on latest.test_unique_id = last_pass.test_unique_id
    where failing_since.failing_since >= {{ dbt.dateadd('day', -1, 'current_timestamp') }}
)

select
    test_name,
    test_unique_id,
    model,
    column_name,
    severity,
    status,
    failing_rows,
    message,
    failing_since,
    last_passed_at,
    last_checked_at,
    last_run_id
from newly_failing
