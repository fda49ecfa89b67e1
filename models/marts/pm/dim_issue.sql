-- Issues with full history (SCD2) from snp_pm__issues: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with history as (
    {{ scd2_history(ref('snp_pm__issues'), 'issue_id') }}
),

known as (
    select
        {{ surrogate_key(['issue_id', 'valid_from']) }} as issue_sk,
        issue_id,
        project_id,
        service_id,
        title,
        issue_type,
        issue_status,
        priority,
        assignee_user_id,
        reporter_user_id,
        opened_at,
        due_date,
        closed_at,
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as issue_sk,
        -1 as issue_id,
        cast(null as integer) as project_id,
        cast(null as integer) as service_id,
        'Unknown issue' as title,
        'unknown' as issue_type,
        'unknown' as issue_status,
        'unknown' as priority,
        cast(null as integer) as assignee_user_id,
        cast(null as integer) as reporter_user_id,
        cast(null as {{ dbt.type_timestamp() }}) as opened_at,
        cast(null as date) as due_date,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
