-- Every landed issues row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'issues') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'issues'
),

texts as (
    {{ pm_texts([
        'issue_id', 'project_id', 'service_id', 'title', 'issue_type', 'status as issue_status',
        'priority', 'assignee_user_id', 'reporter_user_id', 'opened_at', 'due_date',
        'closed_at', 'created_at', 'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('issue_id_text', 'integer') }} as issue_id,
        {{ try_cast('project_id_text', 'integer') }} as project_id,
        {{ try_cast('service_id_text', 'integer') }} as service_id,
        title_text as title,
        lower(issue_type_text) as issue_type,
        lower(issue_status_text) as issue_status,
        lower(priority_text) as priority,
        {{ try_cast('assignee_user_id_text', 'integer') }} as assignee_user_id,
        {{ try_cast('reporter_user_id_text', 'integer') }} as reporter_user_id,
        {{ try_cast('opened_at_text', 'timestamp') }} as opened_at,
        {{ try_cast('due_date_text', 'date') }} as due_date,
        {{ try_cast('closed_at_text', 'timestamp') }} as closed_at,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        issue_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when issue_id is null then 'blank or unparseable issue_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when project_id is null and project_id_text is not null then 'unparseable project_id'
            when service_id is null and service_id_text is not null then 'unparseable service_id'
            when assignee_user_id is null and assignee_user_id_text is not null then 'unparseable assignee_user_id'
            when reporter_user_id is null and reporter_user_id_text is not null then 'unparseable reporter_user_id'
            when opened_at is null and opened_at_text is not null then 'unparseable opened_at'
            when due_date is null and due_date_text is not null then 'unparseable due_date'
            when closed_at is null and closed_at_text is not null then 'unparseable closed_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when project_id is null then 'missing project_id'
            when reporter_user_id is null then 'missing reporter_user_id'
            when opened_at is null then 'missing opened_at'
            when due_date is null then 'missing due_date'
            when issue_type is null or issue_type not in ('bug', 'task', 'incident', 'change_request', 'risk')
                then 'invalid issue_type'
            when issue_status is null or issue_status not in ('open', 'in_progress', 'blocked', 'resolved', 'closed')
                then 'invalid issue_status'
            when priority is null or priority not in ('low', 'medium', 'high', 'critical') then 'invalid priority'
            when closed_at < opened_at then 'closed_at before opened_at'
            when issue_status = 'closed' and closed_at is null then 'closed without closed_at'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['issue_id']) }} as version_rank
    from checked
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
    {{ pm_row_tail('issues', 'an issue') }}
from ranked
