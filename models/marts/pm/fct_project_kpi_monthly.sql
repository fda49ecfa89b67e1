-- One row per project per calendar month it existed (from the month it was created to the
-- source's current month, or to the month it was soft-deleted): issues opened and closed in
-- the month, issues open at the month's end (for the current month: at the end of the
-- source's last day), the mean time to close of the closures in the month, and the review
-- cycles of its services overdue at the month's end. Closures come from the activity log
-- (an issue closed, reopened and closed again counts twice); soft-deleted issues and
-- cycles do not count.
{{ config(indexes=fact_indexes(['month_start_date', 'project_sk'])) }}
with projects as (
    select * from {{ ref('stg_pm__projects') }}
),

issues as (
    select * from {{ ref('stg_pm__issues') }}
    where not is_deleted
),

activity as (
    select * from {{ ref('stg_pm__issue_activity') }}
),

services as (
    select * from {{ ref('stg_pm__services') }}
),

cycles as (
    select * from {{ ref('stg_pm__review_cycles') }}
    where not is_deleted
        and cycle_status <> 'cancelled'
),

daily as (
    select * from {{ ref('fct_issue_daily_snapshot') }}
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

project_versions as (
    select * from {{ ref('dim_project') }}
),

months as (
    select distinct month_start_date
    from calendar
),

project_months as (
    select
        projects.project_id,
        months.month_start_date,
        case
            when months.month_start_date = clock.as_of_month_start_date then clock.as_of_date
            else cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'months.month_start_date')) }} as date)
        end as month_end_date
    from projects
    cross join clock
    inner join months
        on months.month_start_date >= cast({{ dbt.date_trunc('month', 'projects.created_at') }} as date)
        and months.month_start_date <= clock.as_of_month_start_date
        and (
            projects.deleted_at is null
            or months.month_start_date <= cast({{ dbt.date_trunc('month', 'projects.deleted_at') }} as date)
        )
),

opened as (
    select
        project_id,
        cast({{ dbt.date_trunc('month', 'opened_at') }} as date) as month_start_date,
        count(*) as issues_opened
    from issues
    group by 1, 2
),

closures as (
    select
        issues.project_id,
        cast({{ dbt.date_trunc('month', 'activity.activity_at') }} as date) as month_start_date,
        count(*) as issues_closed,
        avg(
            cast(
                {{ dbt.datediff('issues.opened_at', 'activity.activity_at', 'second') }}  -- noqa: LT05
                as {{ dbt.type_numeric() }}
            )
            / 86400
        ) as mean_days_to_close
    from activity
    inner join issues
        on activity.issue_id = issues.issue_id
    where activity.changed_field = 'status'
        and activity.new_value = 'closed'
    group by 1, 2
),

open_at_month_end as (
    select
        project_months.project_id,
        project_months.month_start_date,
        count(daily.issue_id) as open_issues,
        count(case when daily.is_overdue then 1 end) as overdue_open_issues
    from project_months
    inner join daily
        on project_months.project_id = daily.project_id
        and project_months.month_end_date = daily.snapshot_date
    group by 1, 2
),

overdue_reviews as (
    select
        project_months.project_id,
        project_months.month_start_date,
        count(*) as overdue_reviews
    from project_months
    inner join services
        on project_months.project_id = services.project_id
    inner join cycles
        on services.service_id = cycles.service_id
        and cycles.planned_date < project_months.month_end_date
        and (cycles.actual_date is null or cycles.actual_date > project_months.month_end_date)
    group by 1, 2
),

joined as (
    select
        project_months.*,
        coalesce(opened.issues_opened, 0) as issues_opened,
        coalesce(closures.issues_closed, 0) as issues_closed,
        closures.mean_days_to_close,
        coalesce(open_at_month_end.open_issues, 0) as open_issues,
        coalesce(open_at_month_end.overdue_open_issues, 0) as overdue_open_issues,
        coalesce(overdue_reviews.overdue_reviews, 0) as overdue_reviews,
        coalesce(project_versions.project_sk, {{ unknown_key() }}) as project_sk
    from project_months
    left join opened
        on project_months.project_id = opened.project_id
        and project_months.month_start_date = opened.month_start_date
    left join closures
        on project_months.project_id = closures.project_id
        and project_months.month_start_date = closures.month_start_date
    left join open_at_month_end
        on project_months.project_id = open_at_month_end.project_id
        and project_months.month_start_date = open_at_month_end.month_start_date
    left join overdue_reviews
        on project_months.project_id = overdue_reviews.project_id
        and project_months.month_start_date = overdue_reviews.month_start_date
    left join project_versions
        on project_months.project_id = project_versions.project_id
        and project_versions.valid_from < {{ dbt.dateadd('day', 1, 'project_months.month_end_date') }}
        and coalesce(project_versions.valid_to, {{ far_future() }})
        >= {{ dbt.dateadd('day', 1, 'project_months.month_end_date') }}
        and project_versions.project_sk <> {{ unknown_key() }}
)

select
    {{ surrogate_key(['project_id', 'month_start_date']) }} as project_month_sk,
    project_id,
    month_start_date,
    month_end_date,
    project_sk,
    issues_opened,
    issues_closed,
    open_issues,
    overdue_open_issues,
    cast(round(mean_days_to_close, 2) as decimal(28, 2)) as mean_days_to_close,
    overdue_reviews
from joined
