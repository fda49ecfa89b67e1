-- Every landed users row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'users') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'users'
),

texts as (
    select
        {{ clean_text('cast(source.user_id as ' ~ t ~ ')') }} as user_id_text,
        {{ clean_text('cast(source.full_name as ' ~ t ~ ')') }} as full_name_text,
        {{ clean_text('cast(source.email as ' ~ t ~ ')') }} as email_text,
        {{ clean_text('cast(source.team as ' ~ t ~ ')') }} as team_text,
        {{ clean_text('cast(source.role as ' ~ t ~ ')') }} as job_role_text,
        {{ clean_text('cast(source.is_active as ' ~ t ~ ')') }} as is_active_text,
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
        {{ try_cast('user_id_text', 'integer') }} as user_id,
        full_name_text as full_name,
        lower(email_text) as email,
        team_text as team,
        job_role_text as job_role,
        {{ try_cast('is_active_text', 'boolean') }} as is_active,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        user_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when user_id is null then 'blank or unparseable user_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when is_active is null and is_active_text is not null then 'unparseable is_active'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when full_name is null then 'missing full_name'
            when is_active is null then 'missing is_active'
            when email is null or not {{ regexp_like('email', '^[^@ ]+@[^@ ]+$') }} then 'invalid email'
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
            partition by (defect is null), user_id
            order by updated_at desc, load_id desc
        ) as version_rank
    from checked
)

select
    user_id,
    full_name,
    email,
    team,
    job_role,
    is_active,
    created_at,
    updated_at,
    deleted_at,
    load_id,
    source_key,
    {{ dbt.concat(["'users:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a user key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
