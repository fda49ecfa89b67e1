-- One row per issue per day it was open at the end of the day (status not closed, not
-- soft-deleted), from the day it was opened up to the source's last day (`as_of_date`):
-- status, priority and assignee as they stood at the end of that day, rebuilt from the
-- issue's activity history (int_pm__issue_states), not from its state today. Dimension
-- versions are the ones valid at the end of the day; the unknown row where none is.
{{ config(indexes=fact_indexes([
    'snapshot_date', 'issue_sk', 'project_sk', 'service_sk', 'assignee_user_sk'
])) }}
with issues as (
    select * from {{ ref('stg_pm__issues') }}
),

states as (
    select * from {{ ref('int_pm__issue_states') }}
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

issue_dims as (
    select * from {{ ref('dim_issue') }}
),

projects as (
    select * from {{ ref('dim_project') }}
),

services as (
    select * from {{ ref('dim_service') }}
),

users as (
    select * from {{ ref('dim_user') }}
),

issue_days as (
    select
        issues.issue_id,
        issues.project_id,
        issues.service_id,
        issues.issue_type,
        issues.due_date,
        cast(issues.opened_at as date) as opened_date,
        calendar.date_day as snapshot_date,
        {{ dbt.dateadd('day', 1, 'calendar.date_day') }} as day_end_at
    from issues
    cross join clock
    inner join calendar
        on calendar.date_day >= cast(issues.opened_at as date)
        and calendar.date_day <= clock.as_of_date
),

open_days as (
    select
        issue_days.*,
        states.issue_status,
        states.priority,
        states.assignee_user_id
    from issue_days
    inner join states
        on issue_days.issue_id = states.issue_id
        and states.valid_from_at < issue_days.day_end_at
        and coalesce(states.valid_to_at, {{ far_future() }}) >= issue_days.day_end_at
    where states.is_open
),

joined as (
    select
        open_days.*,
        coalesce(issue_dims.issue_sk, {{ unknown_key() }}) as issue_sk,
        coalesce(projects.project_sk, {{ unknown_key() }}) as project_sk,
        coalesce(services.service_sk, {{ unknown_key() }}) as service_sk,
        coalesce(users.user_sk, {{ unknown_key() }}) as assignee_user_sk
    from open_days
    left join issue_dims
        on open_days.issue_id = issue_dims.issue_id
        and issue_dims.valid_from < open_days.day_end_at
        and coalesce(issue_dims.valid_to, {{ far_future() }}) >= open_days.day_end_at
        and issue_dims.issue_sk <> {{ unknown_key() }}
    left join projects
        on open_days.project_id = projects.project_id
        and projects.valid_from < open_days.day_end_at
        and coalesce(projects.valid_to, {{ far_future() }}) >= open_days.day_end_at
        and projects.project_sk <> {{ unknown_key() }}
    left join services
        on open_days.service_id = services.service_id
        and services.valid_from < open_days.day_end_at
        and coalesce(services.valid_to, {{ far_future() }}) >= open_days.day_end_at
        and services.service_sk <> {{ unknown_key() }}
    left join users
        on open_days.assignee_user_id = users.user_id
        and users.valid_from < open_days.day_end_at
        and coalesce(users.valid_to, {{ far_future() }}) >= open_days.day_end_at
        and users.user_sk <> {{ unknown_key() }}
)

select
    {{ surrogate_key(['issue_id', 'snapshot_date']) }} as issue_day_sk,
    issue_id,
    snapshot_date,
    issue_sk,
    project_sk,
    service_sk,
    assignee_user_sk,
    project_id,
    service_id,
    assignee_user_id,
    issue_type,
    issue_status,
    priority,
    opened_date,
    due_date,
    -- day counts as bigint on every engine (PostgreSQL's date difference is an integer)
    cast({{ dbt.datediff('opened_date', 'snapshot_date', 'day') }} as bigint) as age_days,  -- noqa: LT05
    snapshot_date > due_date as is_overdue,
    cast(case
        when snapshot_date > due_date then {{ dbt.datediff('due_date', 'snapshot_date', 'day') }}
        else 0
    end as bigint) as days_overdue
from joined
