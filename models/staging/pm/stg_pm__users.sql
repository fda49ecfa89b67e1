-- Users as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with users as (
    select * from {{ ref('base_pm__users') }}
    where is_current_version
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
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'full_name', 'email', 'team', 'job_role', 'is_active', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from users
