-- One row per ingest run, as written by ingest/audit.py.
with audit_log as (
    select * from {{ source('ctl', 'etl_audit_log') }}
)

select
    run_id,
    pipeline_name,
    source_name,
    protocol,
    target_table,
    status,
    rows_loaded,
    parquet_files,
    lake_paths,
    error_message,
    started_at,
    finished_at,
    duration_seconds
from audit_log
