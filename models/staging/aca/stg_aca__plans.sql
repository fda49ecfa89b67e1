-- Plans as of the latest landed record: one row per plan_id, usable rows only.
with plans as (
    select * from {{ ref('base_aca__plans') }}
    where is_current_version
)

select
    plan_id,
    issuer_name,
    plan_name,
    metal_tier,
    state_code,
    rating_area,
    monthly_premium_usd,
    deductible_usd,
    oop_max_usd,
    updated_at,
    {{ surrogate_key([
        'issuer_name', 'plan_name', 'metal_tier', 'state_code', 'rating_area',
        'monthly_premium_usd', 'deductible_usd', 'oop_max_usd'
    ]) }} as attributes_hash,
    load_id
from plans
