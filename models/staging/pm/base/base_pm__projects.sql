-- Every landed projects row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'projects') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'projects'
),

texts as (
    {{ pm_texts([
        'project_id', 'client_id', 'project_type_id', 'name as project_name',
        'status as project_status', 'start_date', 'target_end_date', 'owner_user_id',
        'created_at', 'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('project_id_text', 'integer') }} as project_id,
        {{ try_cast('client_id_text', 'integer') }} as client_id,
        {{ try_cast('project_type_id_text', 'integer') }} as project_type_id,
        project_name_text as project_name,
        lower(project_status_text) as project_status,
        {{ try_cast('start_date_text', 'date') }} as start_date,
        {{ try_cast('target_end_date_text', 'date') }} as target_end_date,
        {{ try_cast('owner_user_id_text', 'integer') }} as owner_user_id,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        project_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when project_id is null then 'blank or unparseable project_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when client_id is null and client_id_text is not null then 'unparseable client_id'
            when project_type_id is null and project_type_id_text is not null then 'unparseable project_type_id'
            when start_date is null and start_date_text is not null then 'unparseable start_date'
            when target_end_date is null and target_end_date_text is not null then 'unparseable target_end_date'
            when owner_user_id is null and owner_user_id_text is not null then 'unparseable owner_user_id'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when client_id is null then 'missing client_id'
            when project_type_id is null then 'missing project_type_id'
            when project_name is null then 'missing project_name'
            when start_date is null then 'missing start_date'
            when target_end_date is null then 'missing target_end_date'
            when owner_user_id is null then 'missing owner_user_id'
            when project_status is null
                or project_status not in ('planned', 'active', 'on_hold', 'completed', 'cancelled')
                then 'invalid project_status'
            when target_end_date < start_date then 'target_end_date before start_date'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['project_id']) }} as version_rank
    from checked
)

select
    project_id,
    client_id,
    project_type_id,
    project_name,
    project_status,
    start_date,
    target_end_date,
    owner_user_id,
    created_at,
    updated_at,
    deleted_at,
    {{ pm_row_tail('projects', 'a project') }}
from ranked
