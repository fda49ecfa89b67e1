-- Every premium a plan has had and when it applied (SCD2 history of dim_plan).
select
    plan_id,
    plan_name,
    metal_tier,
    version_number,
    monthly_premium_usd,
    valid_from,
    valid_to,
    is_current
from {{ ref('dim_plan') }}
where plan_sk <> {{ unknown_key() }}
order by plan_id, valid_from
