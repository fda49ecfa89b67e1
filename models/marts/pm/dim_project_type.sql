-- Project types with full history (SCD2) from snp_pm__project_types: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__project_types'), 'project_type_id') }}
),

known as (
    select
        {{ surrogate_key(['project_type_id', 'valid_from']) }} as project_type_sk,
        project_type_id,
        project_type_name,
        project_type_description,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as project_type_sk,
        -1 as project_type_id,
        'Unknown project type' as project_type_name,
        cast(null as {{ dbt.type_string() }}) as project_type_description,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
