-- Review cycles with full history (SCD2) from snp_pm__review_cycles: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__review_cycles'), 'review_cycle_id') }}
),

known as (
    select
        {{ surrogate_key(['review_cycle_id', 'valid_from']) }} as review_cycle_sk,
        review_cycle_id,
        service_id,
        cycle_name,
        planned_date,
        actual_date,
        cycle_status,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as review_cycle_sk,
        -1 as review_cycle_id,
        cast(null as integer) as service_id,
        'Unknown review cycle' as cycle_name,
        cast(null as date) as planned_date,
        cast(null as date) as actual_date,
        'unknown' as cycle_status,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
