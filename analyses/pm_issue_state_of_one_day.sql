-- Who held which open issues at the end of a given day (set `as_of` below), with the
-- assignee's team as it was that day: a point-in-time question snapshots alone cannot answer.
{%- set as_of = '2025-01-02' %}
select
    daily.issue_id,
    daily.issue_status,
    daily.priority,
    daily.age_days,
    daily.is_overdue,
    coalesce(users.full_name, 'unassigned') as assignee_name,
    users.team as assignee_team
from {{ ref('fct_issue_daily_snapshot') }} as daily
left join {{ ref('dim_user') }} as users
    on daily.assignee_user_sk = users.user_sk
    and users.user_sk <> {{ unknown_key() }}
where daily.snapshot_date = cast('{{ as_of }}' as date)
order by daily.priority asc, daily.age_days desc
