-- Issues as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with issues as (
    select * from {{ ref('base_pm__issues') }}
    where is_current_version
)

select
    issue_id,
    project_id,
    service_id,
    title,
    issue_type,
    issue_status,
    priority,
    assignee_user_id,
    reporter_user_id,
    opened_at,
    due_date,
    closed_at,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    {{ surrogate_key([
        'project_id', 'service_id', 'title', 'issue_type', 'issue_status', 'priority',
        'assignee_user_id', 'reporter_user_id', 'opened_at', 'due_date', 'closed_at',
        'deleted_at'
    ]) }} as attributes_hash,
    load_id
from issues
