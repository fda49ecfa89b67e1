-- Every landed projects row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'projects') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'projects'
),

texts as (
    select
        {{ clean_text('cast(source.project_id as ' ~ t ~ ')') }} as project_id_text,
        {{ clean_text('cast(source.client_id as ' ~ t ~ ')') }} as client_id_text,
        {{ clean_text('cast(source.project_type_id as ' ~ t ~ ')') }} as project_type_id_text,
        {{ clean_text('cast(source.name as ' ~ t ~ ')') }} as project_name_text,
        {{ clean_text('cast(source.status as ' ~ t ~ ')') }} as project_status_text,
        {{ clean_text('cast(source.start_date as ' ~ t ~ ')') }} as start_date_text,
        {{ clean_text('cast(source.target_end_date as ' ~ t ~ ')') }} as target_end_date_text,
        {{ clean_text('cast(source.owner_user_id as ' ~ t ~ ')') }} as owner_user_id_text,
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
            partition by (defect is null), project_id
            order by updated_at desc, load_id desc
        ) as version_rank
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
    load_id,
    source_key,
    {{ dbt.concat(["'projects:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a project key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
