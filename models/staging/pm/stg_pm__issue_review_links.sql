-- Issue review links as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with issue_review_links as (
    select * from {{ ref('base_pm__issue_review_links') }}
    where is_current_version
)

select
    issue_id,
    service_review_id,
    link_type,
    created_at,
    updated_at,
    load_id
from issue_review_links
