-- Clients with full history (SCD2) from snp_pm__clients: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__clients'), 'client_id') }}
),

known as (
    select
        {{ surrogate_key(['client_id', 'valid_from']) }} as client_sk,
        client_id,
        client_name,
        industry,
        country_code,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as client_sk,
        -1 as client_id,
        'Unknown client' as client_name,
        'unknown' as industry,
        '??' as country_code,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
