-- One row per ingest run and per dbt invocation.
with runs as (
    select * from {{ source('ctl', 'etl_run') }}
)

select
    run_id,
    run_kind,
    command,
    target_name,
    status,
    started_at,
    finished_at,
    duration_seconds,
    message
from runs
