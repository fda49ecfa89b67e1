-- One row per service per calendar month it was live (from the month it was created to the
-- source's current month, or to the month it was soft-deleted): reviews held, on time and
-- late against the cycle's planned date, issues raised (opened) and closed (moved to closed,
-- from the activity log) and revenue. Revenue is the monthly price of the service version
-- valid at the month's first live moment. Soft-deleted reviews and issues do not count.
{{ config(indexes=fact_indexes(['month_start_date', 'service_sk', 'project_sk'])) }}
with services as (
    select * from {{ ref('stg_pm__services') }}
),

cycles as (
    select * from {{ ref('stg_pm__review_cycles') }}
),

reviews as (
    select * from {{ ref('stg_pm__service_reviews') }}
    where not is_deleted
),

issues as (
    select * from {{ ref('stg_pm__issues') }}
    where not is_deleted
),

activity as (
    select * from {{ ref('stg_pm__issue_activity') }}
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

service_versions as (
    select * from {{ ref('dim_service') }}
),

projects as (
    select * from {{ ref('dim_project') }}
),

months as (
    select distinct month_start_date
    from calendar
),

service_months as (
    select
        services.service_id,
        services.project_id,
        months.month_start_date,
        case
            when services.created_at > cast(months.month_start_date as {{ dbt.type_timestamp() }})
                then services.created_at
            else cast(months.month_start_date as {{ dbt.type_timestamp() }})
        end as first_live_at
    from services
    cross join clock
    inner join months
        on months.month_start_date >= cast({{ dbt.date_trunc('month', 'services.created_at') }} as date)
        and months.month_start_date <= clock.as_of_month_start_date
        and (
            services.deleted_at is null
            or months.month_start_date <= cast({{ dbt.date_trunc('month', 'services.deleted_at') }} as date)
        )
),

review_months as (
    select
        cycles.service_id,
        cast({{ dbt.date_trunc('month', 'reviews.held_at') }} as date) as month_start_date,
        count(*) as reviews_held,
        cast(sum(
            case when cast(reviews.held_at as date) <= cycles.planned_date then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as reviews_on_time,
        cast(sum(
            case when cast(reviews.held_at as date) > cycles.planned_date then 1 else 0 end
        ) as {{ dbt.type_bigint() }}) as reviews_late
    from reviews
    inner join cycles
        on reviews.review_cycle_id = cycles.review_cycle_id
    group by 1, 2
),

raised_months as (
    select
        service_id,
        cast({{ dbt.date_trunc('month', 'opened_at') }} as date) as month_start_date,
        count(*) as issues_raised
    from issues
    where service_id is not null
    group by 1, 2
),

closed_months as (
    select
        issues.service_id,
        cast({{ dbt.date_trunc('month', 'activity.activity_at') }} as date) as month_start_date,
        count(*) as issues_closed
    from activity
    inner join issues
        on activity.issue_id = issues.issue_id
    where activity.changed_field = 'status'
        and activity.new_value = 'closed'
        and issues.service_id is not null
    group by 1, 2
),

joined as (
    select
        service_months.*,
        coalesce(review_months.reviews_held, 0) as reviews_held,
        coalesce(review_months.reviews_on_time, 0) as reviews_on_time,
        coalesce(review_months.reviews_late, 0) as reviews_late,
        coalesce(raised_months.issues_raised, 0) as issues_raised,
        coalesce(closed_months.issues_closed, 0) as issues_closed,
        coalesce(service_versions.service_sk, {{ unknown_key() }}) as service_sk,
        coalesce(projects.project_sk, {{ unknown_key() }}) as project_sk,
        coalesce(service_versions.monthly_price_usd, 0) as revenue_usd
    from service_months
    left join review_months
        on service_months.service_id = review_months.service_id
        and service_months.month_start_date = review_months.month_start_date
    left join raised_months
        on service_months.service_id = raised_months.service_id
        and service_months.month_start_date = raised_months.month_start_date
    left join closed_months
        on service_months.service_id = closed_months.service_id
        and service_months.month_start_date = closed_months.month_start_date
    left join service_versions
        on service_months.service_id = service_versions.service_id
        and service_versions.valid_from <= service_months.first_live_at
        and coalesce(service_versions.valid_to, {{ far_future() }}) > service_months.first_live_at
        and service_versions.service_sk <> {{ unknown_key() }}
    left join projects
        on service_months.project_id = projects.project_id
        and projects.valid_from <= service_months.first_live_at
        and coalesce(projects.valid_to, {{ far_future() }}) > service_months.first_live_at
        and projects.project_sk <> {{ unknown_key() }}
)

select
    {{ surrogate_key(['service_id', 'month_start_date']) }} as service_month_sk,
    service_id,
    month_start_date,
    service_sk,
    project_sk,
    project_id,
    reviews_held,
    reviews_on_time,
    reviews_late,
    issues_raised,
    issues_closed,
    cast(revenue_usd as decimal(12, 2)) as revenue_usd
from joined
