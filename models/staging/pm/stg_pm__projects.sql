-- Projects as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with projects as (
    select * from {{ ref('base_pm__projects') }}
    where is_current_version
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
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'client_id', 'project_type_id', 'project_name', 'project_status', 'start_date',
        'target_end_date', 'owner_user_id', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from projects
