-- Claim activity per service date, plan and provider: claims, lines and amounts.
with claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
)

select
    {{ surrogate_key(['service_date', 'plan_id', 'provider_npi']) }} as claims_daily_sk,
    service_date,
    plan_id,
    provider_npi,
    count(distinct claim_id) as claim_count,
    count(*) as claim_line_count,
    sum(billed_amount_usd) as billed_amount_usd,
    sum(allowed_amount_usd) as allowed_amount_usd,
    sum(paid_amount_usd) as paid_amount_usd,
    cast(sum(case when claim_status = 'denied' then 1 else 0 end) as {{ dbt.type_bigint() }}) as denied_line_count
from claim_lines
group by service_date, plan_id, provider_npi
