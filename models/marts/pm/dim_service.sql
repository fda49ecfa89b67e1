-- Services with full history (SCD2) from snp_pm__services: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__services'), 'service_id') }}
),

known as (
    select
        {{ surrogate_key(['service_id', 'valid_from']) }} as service_sk,
        service_id,
        project_id,
        service_name,
        service_tier,
        monthly_price_usd,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as service_sk,
        -1 as service_id,
        cast(null as integer) as project_id,
        'Unknown service' as service_name,
        'unknown' as service_tier,
        cast(null as decimal(12, 2)) as monthly_price_usd,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
