-- The open-issue backlog by day, project, priority and status, for dashboards: how many
-- issues were open at the end of each day, how old they were and how many were overdue.
-- Filter on `is_latest_day` for today's backlog.
{{ config(materialized='view') }}

with daily as (
    select * from {{ ref('fct_issue_daily_snapshot') }}
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

projects as (
    select * from {{ ref('dim_project') }}
),

clients as (
    select * from {{ ref('dim_client') }}
),

backlog as (
    select
        snapshot_date,
        project_id,
        project_sk,
        priority,
        issue_status,
        count(*) as open_issues,
        count(case when is_overdue then 1 end) as overdue_issues,
        avg(cast(age_days as {{ dbt.type_float() }})) as mean_age_days,
        max(age_days) as max_age_days
    from daily
    group by snapshot_date, project_id, project_sk, priority, issue_status
)

select
    {{ surrogate_key(
        ['backlog.snapshot_date', 'backlog.project_id', 'backlog.priority', 'backlog.issue_status']
    ) }} as backlog_sk,
    backlog.snapshot_date,
    backlog.snapshot_date = clock.as_of_date as is_latest_day,
    backlog.project_id,
    coalesce(projects.project_name, 'Unknown project') as project_name,
    coalesce(clients.client_name, 'Unknown client') as client_name,
    backlog.priority,
    case backlog.priority
        when 'critical' then 1 when 'high' then 2 when 'medium' then 3 when 'low' then 4 else 5
    end as priority_order,
    backlog.issue_status,
    backlog.open_issues,
    backlog.overdue_issues,
    round(cast(backlog.mean_age_days as {{ dbt.type_numeric() }}), 1) as mean_age_days,
    backlog.max_age_days
from backlog
cross join clock
left join projects
    on backlog.project_sk = projects.project_sk
left join clients
    on projects.client_id = clients.client_id
    and clients.is_current
