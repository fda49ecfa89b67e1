-- One row per project as it stands today (the source's last day), for dashboards: who and
-- what it is, its open backlog, this month's closures and time to close, overdue reviews,
-- and a red / amber / green health rating:
--   red    an overdue critical issue, or two or more overdue review cycles
--   amber  any overdue open issue or overdue review cycle
--   green  otherwise
{{ config(materialized='view') }}

with projects as (
    select * from {{ ref('dim_project') }}
    where is_current
        and project_sk <> {{ unknown_key() }}
),

clients as (
    select * from {{ ref('dim_client') }}
    where is_current
),

project_types as (
    select * from {{ ref('dim_project_type') }}
    where is_current
),

users as (
    select * from {{ ref('dim_user') }}
    where is_current
),

daily as (
    select * from {{ ref('fct_issue_daily_snapshot') }}
),

kpis as (
    select * from {{ ref('fct_project_kpi_monthly') }}
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

today as (
    select
        daily.project_id,
        count(*) as open_issues,
        count(case when daily.priority = 'critical' then 1 end) as open_critical_issues,
        count(case when daily.is_overdue then 1 end) as overdue_open_issues,
        count(case when daily.is_overdue and daily.priority = 'critical' then 1 end)
            as overdue_critical_issues,
        avg(cast(daily.age_days as {{ dbt.type_float() }})) as mean_open_age_days
    from daily
    inner join clock
        on daily.snapshot_date = clock.as_of_date
    group by daily.project_id
),

this_month as (
    select kpis.*
    from kpis
    inner join clock
        on kpis.month_start_date = clock.as_of_month_start_date
),

measured as (
    select
        projects.project_id,
        projects.project_name,
        projects.project_status,
        coalesce(clients.client_name, 'Unknown client') as client_name,
        coalesce(project_types.project_type_name, 'Unknown project type') as project_type_name,
        coalesce(users.full_name, 'Unknown user') as owner_name,
        projects.start_date,
        projects.target_end_date,
        clock.as_of_date,
        coalesce(today.open_issues, 0) as open_issues,
        coalesce(today.open_critical_issues, 0) as open_critical_issues,
        coalesce(today.overdue_open_issues, 0) as overdue_open_issues,
        coalesce(today.overdue_critical_issues, 0) as overdue_critical_issues,
        today.mean_open_age_days,
        coalesce(this_month.issues_opened, 0) as issues_opened_this_month,
        coalesce(this_month.issues_closed, 0) as issues_closed_this_month,
        this_month.mean_days_to_close as mean_days_to_close_this_month,
        coalesce(this_month.overdue_reviews, 0) as overdue_reviews
    from projects
    cross join clock
    left join clients
        on projects.client_id = clients.client_id
    left join project_types
        on projects.project_type_id = project_types.project_type_id
    left join users
        on projects.owner_user_id = users.user_id
    left join today
        on projects.project_id = today.project_id
    left join this_month
        on projects.project_id = this_month.project_id
)

select
    project_id,
    project_name,
    project_status,
    client_name,
    project_type_name,
    owner_name,
    start_date,
    target_end_date,
    as_of_date,
    target_end_date < as_of_date and project_status in ('planned', 'active', 'on_hold')
        as is_past_target_end,
    open_issues,
    open_critical_issues,
    overdue_open_issues,
    overdue_critical_issues,
    round(cast(mean_open_age_days as {{ dbt.type_numeric() }}), 1) as mean_open_age_days,
    issues_opened_this_month,
    issues_closed_this_month,
    mean_days_to_close_this_month,
    overdue_reviews,
    case
        when overdue_critical_issues > 0 or overdue_reviews >= 2 then 'red'
        when overdue_open_issues > 0 or overdue_reviews > 0 then 'amber'
        else 'green'
    end as health_status
from measured
