-- Every landed project_types row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'project_types') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'project_types'
),

texts as (
    select
        {{ clean_text('cast(source.project_type_id as ' ~ t ~ ')') }} as project_type_id_text,
        {{ clean_text('cast(source.name as ' ~ t ~ ')') }} as project_type_name_text,
        {{ clean_text('cast(source.description as ' ~ t ~ ')') }} as project_type_description_text,
        {{ clean_text('cast(source.created_at as ' ~ t ~ ')') }} as created_at_text,
        {{ clean_text('cast(source.updated_at as ' ~ t ~ ')') }} as updated_at_text,
        {{ clean_text('cast(source.deleted_at as ' ~ t ~ ')') }} as deleted_at_text,
        source._dlt_load_id as load_id,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

typed as (
    select
        texts.*,
        {{ try_cast('project_type_id_text', 'integer') }} as project_type_id,
        project_type_name_text as project_type_name,
        project_type_description_text as project_type_description,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        project_type_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when project_type_id is null then 'blank or unparseable project_type_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when project_type_name is null then 'missing project_type_name'
        end as defect,
        exists(
            select 1 from deleted_keys
            where deleted_keys.key_value = typed.source_key
                and deleted_keys.load_id > typed.load_id
        ) as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), project_type_id
            order by updated_at desc, load_id desc
        ) as version_rank
    from checked
)

select
    project_type_id,
    project_type_name,
    project_type_description,
    created_at,
    updated_at,
    deleted_at,
    load_id,
    source_key,
    {{ dbt.concat(["'project_types:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a project type key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
