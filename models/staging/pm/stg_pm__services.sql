-- Services as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with services as (
    select * from {{ ref('base_pm__services') }}
    where is_current_version
)

select
    service_id,
    project_id,
    service_name,
    service_tier,
    monthly_price_usd,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'project_id', 'service_name', 'service_tier', 'monthly_price_usd', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from services
