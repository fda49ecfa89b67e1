-- Every landed issue_activity row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'issue_activity') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'issue_activity'
),

texts as (
    {{ pm_texts([
        'activity_id', 'issue_id', 'activity_at', 'field as changed_field', 'old_value',
        'new_value', 'created_at', 'updated_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('activity_id_text', 'integer') }} as activity_id,
        {{ try_cast('issue_id_text', 'integer') }} as issue_id,
        {{ try_cast('activity_at_text', 'timestamp') }} as activity_at,
        lower(changed_field_text) as changed_field,
        old_value_text as old_value,
        new_value_text as new_value,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        activity_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when activity_id is null then 'blank or unparseable activity_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when issue_id is null and issue_id_text is not null then 'unparseable issue_id'
            when activity_at is null and activity_at_text is not null then 'unparseable activity_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when issue_id is null then 'missing issue_id'
            when activity_at is null then 'missing activity_at'
            when changed_field is null or changed_field not in ('status', 'priority', 'assignee')
                then 'invalid changed_field'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['activity_id']) }} as version_rank
    from checked
)

select
    activity_id,
    issue_id,
    activity_at,
    changed_field,
    old_value,
    new_value,
    created_at,
    updated_at,
    {{ pm_row_tail('issue_activity', 'an issue activity entry') }}
from ranked
