-- Per plan and day: that day's allowed amount and claims, the rolling 30-day totals, and
-- the same rolling totals one year earlier (year-over-year), over every day from the
-- plan's first claim to the latest service date, days without claims included as zero.
with daily as (
    select
        plan_id,
        service_date,
        cast(sum(claim_count) as {{ dbt.type_bigint() }}) as claim_count,
        sum(allowed_amount_usd) as allowed_amount_usd
    from {{ ref('agg_claims_daily_plan_provider') }}
    group by plan_id, service_date
),

calendar as (
    select * from {{ ref('dim_date') }}
),

plan_ranges as (
    select
        plan_id,
        min(service_date) as first_service_date,
        (select max(all_days.service_date) from daily as all_days) as last_service_date
    from daily
    group by plan_id
),

plan_days as (
    select
        plan_ranges.plan_id,
        calendar.date_day
    from plan_ranges
    inner join calendar
        on calendar.date_day >= {{ dbt.dateadd('day', -395, 'plan_ranges.first_service_date') }}
        and calendar.date_day <= plan_ranges.last_service_date
),

filled as (
    select
        plan_days.plan_id,
        plan_days.date_day,
        coalesce(daily.claim_count, 0) as claim_count,
        coalesce(daily.allowed_amount_usd, 0) as allowed_amount_usd
    from plan_days
    left join daily
        on plan_days.plan_id = daily.plan_id
        and plan_days.date_day = daily.service_date
),

rolling as (
    select
        filled.*,
        cast(sum(claim_count) over (
            partition by plan_id order by date_day rows between 29 preceding and current row
        ) as {{ dbt.type_bigint() }}) as claim_count_30d,
        sum(allowed_amount_usd) over (
            partition by plan_id order by date_day rows between 29 preceding and current row
        ) as allowed_amount_usd_30d
    from filled
),

with_prior_year as (
    select
        current_year.plan_id,
        current_year.date_day,
        current_year.claim_count,
        current_year.allowed_amount_usd,
        current_year.claim_count_30d,
        current_year.allowed_amount_usd_30d,
        prior_year.claim_count_30d as claim_count_30d_prior_year,
        prior_year.allowed_amount_usd_30d as allowed_amount_usd_30d_prior_year
    from rolling as current_year
    left join rolling as prior_year
        on current_year.plan_id = prior_year.plan_id
        and prior_year.date_day = {{ dbt.dateadd('year', -1, 'current_year.date_day') }}
)

select
    {{ surrogate_key(['with_prior_year.plan_id', 'with_prior_year.date_day']) }} as plan_performance_sk,
    with_prior_year.plan_id,
    with_prior_year.date_day,
    with_prior_year.claim_count,
    with_prior_year.allowed_amount_usd,
    with_prior_year.claim_count_30d,
    with_prior_year.allowed_amount_usd_30d,
    with_prior_year.claim_count_30d_prior_year,
    with_prior_year.allowed_amount_usd_30d_prior_year,
    case
        when with_prior_year.allowed_amount_usd_30d_prior_year > 0
            then round(
                    cast(
                        (with_prior_year.allowed_amount_usd_30d - with_prior_year.allowed_amount_usd_30d_prior_year)
                        / with_prior_year.allowed_amount_usd_30d_prior_year * 100 as {{ dbt.type_numeric() }}
                    ),
                    2
                )
    end as allowed_amount_yoy_change_pct
from with_prior_year
inner join plan_ranges
    on with_prior_year.plan_id = plan_ranges.plan_id
    and with_prior_year.date_day >= plan_ranges.first_service_date
