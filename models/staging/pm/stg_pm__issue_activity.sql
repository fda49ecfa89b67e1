-- Issue activity as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with issue_activity as (
    select * from {{ ref('base_pm__issue_activity') }}
    where is_current_version
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
    load_id
from issue_activity
