-- Allowed and paid amounts per member per month (PMPM), by plan, metal tier and month:
-- claims by service month over enrolled member months.
-- A table, not a view: on PostgreSQL dbt replaces a rebuilt table by dropping the old one
-- with `cascade`, which would drop a view on it until the view's own turn comes, and analysts
-- querying it during `dbt build` would find no relation. A table is swapped atomically.
{{ config(materialized='table') }}

with member_months as (
    select * from {{ ref('fct_member_months') }}
),

claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
    where is_current
),

enrolled as (
    select
        plan_id,
        month_start_date,
        count(*) as member_months,
        sum(premium_usd) as premium_usd
    from member_months
    group by plan_id, month_start_date
),

claimed as (
    select
        plan_id,
        cast({{ dbt.date_trunc('month', 'service_date') }} as date) as month_start_date,
        sum(allowed_amount_usd) as allowed_amount_usd,
        sum(paid_amount_usd) as paid_amount_usd
    from claim_lines
    group by plan_id, cast({{ dbt.date_trunc('month', 'service_date') }} as date)
)

select
    {{ surrogate_key(['enrolled.plan_id', 'enrolled.month_start_date']) }} as plan_month_sk,
    enrolled.plan_id,
    coalesce(plans.plan_name, 'Unknown plan') as plan_name,
    coalesce(plans.metal_tier, 'unknown') as metal_tier,
    enrolled.month_start_date,
    enrolled.member_months,
    enrolled.premium_usd,
    coalesce(claimed.allowed_amount_usd, 0) as allowed_amount_usd,
    coalesce(claimed.paid_amount_usd, 0) as paid_amount_usd,
    round(
        cast(coalesce(claimed.allowed_amount_usd, 0) / enrolled.member_months as {{ dbt.type_numeric() }}), 2
    ) as allowed_pmpm_usd,
    round(
        cast(coalesce(claimed.paid_amount_usd, 0) / enrolled.member_months as {{ dbt.type_numeric() }}), 2
    ) as paid_pmpm_usd
from enrolled
left join claimed
    on enrolled.plan_id = claimed.plan_id
    and enrolled.month_start_date = claimed.month_start_date
left join plans
    on enrolled.plan_id = plans.plan_id
