-- Every landed users row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'users') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'users'
),

texts as (
    {{ pm_texts([
        'user_id', 'full_name', 'email', 'team', 'role as job_role', 'is_active', 'created_at',
        'updated_at', 'deleted_at',
    ]) }}
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
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['user_id']) }} as version_rank
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
    {{ pm_row_tail('users', 'a user') }}
from ranked
