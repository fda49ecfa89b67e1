-- One row per test (or source freshness check) per dbt invocation.
with results as (
    select * from {{ source('ctl', 'data_quality_result') }}
)

select
    run_id,
    test_name,
    test_unique_id,
    model,
    column_name,
    severity,
    status,
    failing_rows,
    execution_seconds,
    message,
    checked_at,
    status in ('fail', 'error', 'warn', 'runtime error') as is_failing
from results
