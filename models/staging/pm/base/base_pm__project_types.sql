-- Every landed project_types row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'project_types') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'project_types'
),

texts as (
    {{ pm_texts([
        'project_type_id', 'name as project_type_name',
        'description as project_type_description', 'created_at', 'updated_at', 'deleted_at',
    ]) }}
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
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['project_type_id']) }} as version_rank
    from checked
)

select
    project_type_id,
    project_type_name,
    project_type_description,
    created_at,
    updated_at,
    deleted_at,
    {{ pm_row_tail('project_types', 'a project type') }}
from ranked
