-- Allowed and paid per member per month by metal tier, over the whole sample.
-- The same figures are the metrics allowed_pmpm and paid_pmpm (README "Metrics"):
-- mf query --metrics allowed_pmpm,paid_pmpm --group-by plan__metal_tier
select
    metal_tier,
    sum(member_months) as member_months,
    round(cast(sum(allowed_amount_usd) / sum(member_months) as {{ dbt.type_numeric() }}), 2) as allowed_pmpm_usd,
    round(cast(sum(paid_amount_usd) / sum(member_months) as {{ dbt.type_numeric() }}), 2) as paid_pmpm_usd
from {{ ref('mart_plan_pmpm') }}
group by metal_tier
order by allowed_pmpm_usd desc
