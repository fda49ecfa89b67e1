-- Medical loss ratio (MLR) per issuer, state and plan year: paid claims over premiums,
-- against the individual-market threshold (var aca_mlr_threshold, 80 %). Premiums are those
-- of the member months (the monthly premium of each covered month's enrollment); claims
-- count by service date; both reach the issuer and state through the plan version valid on
-- their date. A simplified, single-year ratio: no three-year averaging, no credibility
-- adjustment, no quality-improvement expenses or taxes (see the YAML description).
{%- set threshold = var('aca_mlr_threshold', 0.80) %}

with member_months as (
    select * from {{ ref('fct_member_months') }}
),

claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

premiums as (
    select
        coalesce(plans.issuer_name, 'Unknown issuer') as issuer_name,
        coalesce(plans.state_code, 'unknown') as state_code,
        cast(extract(year from member_months.month_start_date) as integer) as plan_year,
        count(*) as member_months,
        sum(member_months.premium_usd) as premium_usd,
        cast(null as {{ dbt.type_bigint() }}) as claim_line_count,
        cast(null as decimal(38, 2)) as paid_amount_usd
    from member_months
    left join plans
        on member_months.plan_sk = plans.plan_sk
    group by
        coalesce(plans.issuer_name, 'Unknown issuer'),
        coalesce(plans.state_code, 'unknown'),
        cast(extract(year from member_months.month_start_date) as integer)
),

claims as (
    select
        coalesce(plans.issuer_name, 'Unknown issuer') as issuer_name,
        coalesce(plans.state_code, 'unknown') as state_code,
        cast(extract(year from claim_lines.service_date) as integer) as plan_year,
        cast(null as {{ dbt.type_bigint() }}) as member_months,
        cast(null as decimal(38, 2)) as premium_usd,
        count(*) as claim_line_count,
        sum(claim_lines.paid_amount_usd) as paid_amount_usd
    from claim_lines
    left join plans
        on claim_lines.plan_sk = plans.plan_sk
    group by
        coalesce(plans.issuer_name, 'Unknown issuer'),
        coalesce(plans.state_code, 'unknown'),
        cast(extract(year from claim_lines.service_date) as integer)
),

both_sides as (
    select * from premiums
    union all
    select * from claims
),

-- an issuer, state and year has at most one row on each side: max() picks it
issuer_years as (
    select
        issuer_name,
        state_code,
        plan_year,
        coalesce(max(member_months), 0) as member_months,
        cast(coalesce(max(premium_usd), 0) as decimal(38, 2)) as premium_usd,
        coalesce(max(claim_line_count), 0) as claim_line_count,
        cast(coalesce(max(paid_amount_usd), 0) as decimal(38, 2)) as paid_amount_usd
    from both_sides
    group by issuer_name, state_code, plan_year
),

ratios as (
    select
        issuer_years.*,
        cast({{ threshold }} as decimal(5, 4)) as mlr_threshold,
        case
            when premium_usd > 0
                -- rounded once, from the quotient itself (a cast first would round twice)
                then round(cast(round(paid_amount_usd / premium_usd, 4) as {{ dbt.type_numeric() }}), 4)
        end as medical_loss_ratio
    from issuer_years
)

select
    {{ surrogate_key(['issuer_name', 'state_code', 'plan_year']) }} as issuer_state_year_sk,
    issuer_name,
    state_code,
    plan_year,
    member_months,
    premium_usd,
    claim_line_count,
    paid_amount_usd,
    medical_loss_ratio,
    mlr_threshold,
    medical_loss_ratio >= mlr_threshold as meets_mlr_threshold,
    case
        when medical_loss_ratio >= mlr_threshold then cast(0 as decimal(38, 2))
        when medical_loss_ratio < mlr_threshold
            then cast(round(mlr_threshold * premium_usd - paid_amount_usd, 2) as decimal(38, 2))
    end as mlr_rebate_shortfall_usd
from ratios
