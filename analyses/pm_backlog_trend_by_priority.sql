-- Open issues at the end of each day of the last 30 days, by priority: the backlog as it
-- stood each day (rebuilt from the activity history), for a stacked trend chart.
select
    backlog.snapshot_date,
    backlog.priority,
    sum(backlog.open_issues) as open_issues,
    sum(backlog.overdue_issues) as overdue_issues
from {{ ref('mart_pm__issue_backlog') }} as backlog
inner join {{ ref('stg_pm__source_clock') }} as clock
    on backlog.snapshot_date > {{ dbt.dateadd('day', -30, 'clock.as_of_date') }}
group by backlog.snapshot_date, backlog.priority, backlog.priority_order
order by backlog.snapshot_date, backlog.priority_order
