-- Clients as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with clients as (
    select * from {{ ref('base_pm__clients') }}
    where is_current_version
)

select
    client_id,
    client_name,
    industry,
    country_code,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'client_name', 'industry', 'country_code', 'deleted_at'
    ]) }} as attributes_hash,
    load_id
from clients
