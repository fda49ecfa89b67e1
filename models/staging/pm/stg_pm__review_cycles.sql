-- Review cycles as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with review_cycles as (
    select * from {{ ref('base_pm__review_cycles') }}
    where is_current_version
)

select
    review_cycle_id,
    service_id,
    cycle_name,
    planned_date,
    actual_date,
    cycle_status,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'service_id', 'cycle_name', 'planned_date', 'actual_date', 'cycle_status', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from review_cycles
