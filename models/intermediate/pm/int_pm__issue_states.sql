-- The state of every issue over time (status, priority, assignee, soft-deleted or not),
-- rebuilt from the issue's opening and its activity log, not from snapshots: one row per
-- issue per interval between two changes, [valid_from_at, valid_to_at).
--
-- A field's value at opening is the old value of its first logged change (or, when the
-- field never changed, its current value); each logged change starts a new value. The
-- intervals of the three fields are then cut at every change point of any of them.
-- A table (not ephemeral like other intermediate models): two marts and their unit tests
-- read it.
{{ config(materialized='table') }}

with issues as (
    select * from {{ ref('stg_pm__issues') }}
),

activity as (
    select * from {{ ref('stg_pm__issue_activity') }}
    where issue_id in (select issue_id from issues)
),

numbered_activity as (
    select
        activity.*,
        row_number() over (
            partition by issue_id, changed_field
            order by activity_at, activity_id
        ) as change_number
    from activity
),

first_changes as (
    select
        issue_id,
        changed_field,
        old_value
    from numbered_activity
    where change_number = 1
),

opening_values as (
    select
        issues.issue_id,
        issues.opened_at,
        case
            when first_status.issue_id is null then issues.issue_status
            else first_status.old_value
        end as issue_status,
        case
            when first_priority.issue_id is null then issues.priority
            else first_priority.old_value
        end as priority,
        case
            when first_assignee.issue_id is null
                then cast(issues.assignee_user_id as {{ dbt.type_string() }})
            else first_assignee.old_value
        end as assignee_user_id
    from issues
    left join first_changes as first_status
        on issues.issue_id = first_status.issue_id
        and first_status.changed_field = 'status'
    left join first_changes as first_priority
        on issues.issue_id = first_priority.issue_id
        and first_priority.changed_field = 'priority'
    left join first_changes as first_assignee
        on issues.issue_id = first_assignee.issue_id
        and first_assignee.changed_field = 'assignee'
),

field_values as (
    select
        issue_id,
        'status' as changed_field,
        opened_at as changed_at,
        0 as activity_id,
        issue_status as field_value
    from opening_values
    union all
    select
        issue_id,
        'priority' as changed_field,
        opened_at as changed_at,
        0 as activity_id,
        priority as field_value
    from opening_values
    union all
    select
        issue_id,
        'assignee' as changed_field,
        opened_at as changed_at,
        0 as activity_id,
        assignee_user_id as field_value
    from opening_values
    union all
    select
        issue_id,
        changed_field,
        activity_at,
        activity_id,
        new_value
    from activity
),

field_intervals as (
    select
        field_values.*,
        lead(changed_at) over (
            partition by issue_id, changed_field
            order by changed_at, activity_id
        ) as changed_until
    from field_values
),

change_points as (
    select
        issue_id,
        changed_at
    from field_values
    union
    select
        issue_id,
        deleted_at
    from issues
    where deleted_at is not null
),

intervals as (
    select
        issue_id,
        changed_at as valid_from_at,
        lead(changed_at) over (partition by issue_id order by changed_at) as valid_to_at
    from change_points
),

states as (
    select
        intervals.issue_id,
        intervals.valid_from_at,
        intervals.valid_to_at,
        status_values.field_value as issue_status,
        priority_values.field_value as priority,
        {{ try_cast('assignee_values.field_value', 'integer') }} as assignee_user_id,
        coalesce(intervals.valid_from_at >= issues.deleted_at, false) as is_deleted
    from intervals
    inner join issues
        on intervals.issue_id = issues.issue_id
    left join field_intervals as status_values
        on intervals.issue_id = status_values.issue_id
        and status_values.changed_field = 'status'
        and intervals.valid_from_at >= status_values.changed_at
        and intervals.valid_from_at < coalesce(status_values.changed_until, {{ far_future() }})
    left join field_intervals as priority_values
        on intervals.issue_id = priority_values.issue_id
        and priority_values.changed_field = 'priority'
        and intervals.valid_from_at >= priority_values.changed_at
        and intervals.valid_from_at < coalesce(priority_values.changed_until, {{ far_future() }})
    left join field_intervals as assignee_values
        on intervals.issue_id = assignee_values.issue_id
        and assignee_values.changed_field = 'assignee'
        and intervals.valid_from_at >= assignee_values.changed_at
        and intervals.valid_from_at < coalesce(assignee_values.changed_until, {{ far_future() }})
)

select
    {{ surrogate_key(['issue_id', 'valid_from_at']) }} as issue_state_sk,
    issue_id,
    valid_from_at,
    valid_to_at,
    issue_status,
    priority,
    assignee_user_id,
    is_deleted,
    (coalesce(issue_status, 'unknown') <> 'closed' and not is_deleted) as is_open
from states
