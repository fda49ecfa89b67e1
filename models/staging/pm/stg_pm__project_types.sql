-- Project types as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with project_types as (
    select * from {{ ref('base_pm__project_types') }}
    where is_current_version
)

select
    project_type_id,
    project_type_name,
    project_type_description,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'project_type_name', 'project_type_description', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from project_types
