-- Project types with full history (SCD2) from snp_pm__project_types: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
with snapshot as (
    select * from {{ ref('snp_pm__project_types') }}
),

versions as (
    select
        snapshot.*,
        row_number() over (partition by project_type_id order by dbt_valid_from) as snapshot_version,
        lead(updated_at) over (partition by project_type_id order by dbt_valid_from) as next_updated_at
    from snapshot
),

windowed as (
    select
        versions.*,
        case
            when snapshot_version = 1 then cast({{ far_past() }} as {{ dbt.type_timestamp() }})
            else cast(updated_at as {{ dbt.type_timestamp() }})
        end as valid_from,
        case
            when next_updated_at is not null then cast(next_updated_at as {{ dbt.type_timestamp() }})
            when deleted_at is not null then cast(deleted_at as {{ dbt.type_timestamp() }})
            when dbt_valid_to is not null then cast(dbt_valid_to as {{ dbt.type_timestamp() }})
        end as valid_to
    from versions
),

kept as (
    -- the version a soft delete opens starts and ends at deleted_at: it only closes the
    -- version before it (unless the key was first seen already deleted)
    select * from windowed
    where not (deleted_at is not null and snapshot_version > 1 and valid_to <= valid_from)
),

numbered as (
    select
        kept.*,
        row_number() over (partition by project_type_id order by valid_from) as version_number,
        lead(valid_from) over (partition by project_type_id order by valid_from) as next_valid_from
    from kept
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
    from numbered
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
