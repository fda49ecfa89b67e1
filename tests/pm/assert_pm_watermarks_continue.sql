-- Each load run's read starts where the previous one stopped: per table, a run's previous
-- watermark is the last watermark of the run before it, watermarks never go back, and every
-- run records every table. Returns the runs that break this.
with watermarks as (
    select * from {{ ref('stg_pm__watermarks') }}
),

ordered as (
    select
        watermarks.*,
        lag(last_value) over (partition by table_name order by watermark_load_id) as prior_last_value,
        row_number() over (partition by table_name order by watermark_load_id) as run_number
    from watermarks
),

tables_per_run as (
    select
        watermark_load_id,
        count(distinct table_name) as tables_recorded
    from watermarks
    group by watermark_load_id
),

broken_chain as (
    select
        table_name,
        watermark_load_id,
        'previous watermark is not the prior run''s last watermark' as problem
    from ordered
    where run_number > 1
        and coalesce(cast(previous_value as {{ dbt.type_string() }}), '-')
        <> coalesce(cast(prior_last_value as {{ dbt.type_string() }}), '-')
    union all
    select
        table_name,
        watermark_load_id,
        'watermark went back' as problem
    from ordered
    where last_value < previous_value
        or (last_value is null and previous_value is not null)
),

missing_tables as (
    select
        cast(null as {{ dbt.type_string() }}) as table_name,
        watermark_load_id,
        'run did not record every table' as problem
    from tables_per_run
    where tables_recorded <> 10
)

select * from broken_chain
union all
select * from missing_tables
