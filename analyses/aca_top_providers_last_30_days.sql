-- The ten providers with the highest allowed amount in the last 30 days of data.
with claims as (
    select * from {{ ref('agg_claims_daily_plan_provider') }}
),

providers as (
    select * from {{ ref('dim_provider') }}
),

window_end as (
    select max(service_date) as last_service_date from claims
)

select
    providers.provider_name,
    providers.specialty,
    sum(claims.claim_count) as claim_count,
    sum(claims.allowed_amount_usd) as allowed_amount_usd
from claims
cross join window_end
inner join providers
    on claims.provider_npi = providers.npi
where claims.service_date > {{ dbt.dateadd('day', -30, 'window_end.last_service_date') }}
group by providers.provider_name, providers.specialty
order by allowed_amount_usd desc
limit 10
