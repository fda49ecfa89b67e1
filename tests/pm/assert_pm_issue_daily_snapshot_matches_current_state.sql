-- Reconciliation: on the source's last day, the daily issue snapshot (rebuilt from the
-- activity history) holds exactly the issues the source shows open now (not closed, not
-- soft-deleted), with the same status, priority and assignee. Returns each disagreement.
with clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

today as (
    select daily.*
    from {{ ref('fct_issue_daily_snapshot') }} as daily
    inner join clock
        on daily.snapshot_date = clock.as_of_date
),

open_now as (
    select * from {{ ref('stg_pm__issues') }}
    where issue_status <> 'closed'
        and not is_deleted
),

compared as (
    select
        coalesce(today.issue_id, open_now.issue_id) as issue_id,
        today.issue_status as snapshot_status,
        open_now.issue_status as source_status,
        today.priority as snapshot_priority,
        open_now.priority as source_priority,
        today.assignee_user_id as snapshot_assignee_user_id,
        open_now.assignee_user_id as source_assignee_user_id,
        case
            when today.issue_id is null then 'open in the source, missing from the snapshot'
            when open_now.issue_id is null then 'in the snapshot, not open in the source'
            when today.issue_status <> open_now.issue_status then 'status differs'
            when today.priority <> open_now.priority then 'priority differs'
            when coalesce(today.assignee_user_id, -1) <> coalesce(open_now.assignee_user_id, -1)
                then 'assignee differs'
        end as mismatch
    from today
    full outer join open_now
        on today.issue_id = open_now.issue_id
)

select *
from compared
where mismatch is not null
