-- Projects with full history (SCD2) from snp_pm__projects: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__projects'), 'project_id') }}
),

known as (
    select
        {{ surrogate_key(['project_id', 'valid_from']) }} as project_sk,
        project_id,
        client_id,
        project_type_id,
        project_name,
        project_status,
        start_date,
        target_end_date,
        owner_user_id,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as project_sk,
        -1 as project_id,
        cast(null as integer) as client_id,
        cast(null as integer) as project_type_id,
        'Unknown project' as project_name,
        'unknown' as project_status,
        cast(null as date) as start_date,
        cast(null as date) as target_end_date,
        cast(null as integer) as owner_user_id,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
