-- How fresh each source is: per landed table, the last successful ingest run, the last
-- attempt and the watermark; and per raw source table, the latest dbt source freshness check.
{{ config(materialized='view') }}

with audit_log as (
    select * from {{ ref('stg_ctl__etl_audit_log') }}
),

watermarks as (
    select * from {{ ref('stg_ctl__watermark') }}
),

results as (
    select * from {{ ref('stg_ctl__data_quality_result') }}
    where test_name = 'source_freshness'
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

ingest_per_table as (
    select
        source_name,
        target_table,
        max(case when status = 'success' then finished_at end) as last_success_at,
        cast(sum(case when status = 'failure' then 1 else 0 end) as bigint) as failed_runs,
        cast(count(*) as bigint) as runs
    from audit_log
    group by source_name, target_table
),

ingest_freshness as (
    select
        'ingest run' as checked_by,
        ingest_ranked.source_name,
        ingest_ranked.target_table as source_table,
        ingest_ranked.protocol,
        ingest_per_table.last_success_at as last_loaded_at,
        cast(
            {{ dbt.datediff('ingest_per_table.last_success_at', 'current_timestamp', 'hour') }}
            as bigint
        ) as hours_since_load,
        ingest_ranked.status as last_status,
        ingest_ranked.finished_at as checked_at,
        ingest_per_table.runs,
        ingest_per_table.failed_runs,
        watermarks.cursor_column,
        watermarks.last_value as watermark_value,
        ingest_ranked.error_message as detail
    from ingest_ranked
    inner join ingest_per_table
        on ingest_ranked.source_name = ingest_per_table.source_name
        and ingest_ranked.target_table = ingest_per_table.target_table
    left join watermarks
        on ingest_ranked.target_table
        = {{ dbt.concat(["'raw_'", 'watermarks.source_name', "'.'", 'watermarks.table_name']) }}
    where ingest_ranked.recency = 1
),

freshness_ranked as (
    select
        results.*,
        row_number() over (partition by test_unique_id order by checked_at desc) as recency
    from results
),

dbt_freshness as (
    select
        'dbt source freshness' as checked_by,
        model as source_name,
        model as source_table,
        cast(null as {{ dbt.type_string() }}) as protocol,
        cast(null as {{ ctl_timestamp_type() }}) as last_loaded_at,
        cast(null as bigint) as hours_since_load,
        status as last_status,
        checked_at,
        cast(null as bigint) as runs,
        cast(null as bigint) as failed_runs,
        cast(null as {{ dbt.type_string() }}) as cursor_column,
        cast(null as {{ dbt.type_string() }}) as watermark_value,
        message as detail
    from freshness_ranked
    where recency = 1
),

unioned as (
    select * from ingest_freshness
    union all
    select * from dbt_freshness
)

select
    checked_by,
    source_name,
    source_table,
    protocol,
    last_loaded_at,
    hours_since_load,
    last_status,
    checked_at,
    runs,
    failed_runs,
    cursor_column,
    watermark_value,
    detail
from unioned
