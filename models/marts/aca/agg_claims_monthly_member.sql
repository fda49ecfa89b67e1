-- Claim activity per member and service month: claims, lines and amounts.
with claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
),

monthly as (
    select
        member_id,
        cast({{ dbt.date_trunc('month', 'service_date') }} as date) as service_month_start_date,
        claim_id,
        billed_amount_usd,
        allowed_amount_usd,
        paid_amount_usd
    from claim_lines
)

select
    {{ surrogate_key(['member_id', 'service_month_start_date']) }} as claims_monthly_member_sk,
    member_id,
    service_month_start_date,
    count(distinct claim_id) as claim_count,
    count(*) as claim_line_count,
    sum(billed_amount_usd) as billed_amount_usd,
    sum(allowed_amount_usd) as allowed_amount_usd,
    sum(paid_amount_usd) as paid_amount_usd
from monthly
group by member_id, service_month_start_date
