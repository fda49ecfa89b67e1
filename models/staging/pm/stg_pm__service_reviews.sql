-- Service reviews as the source holds them now: one row per key, usable rows only,
-- hard-deleted keys excluded; soft-deleted rows kept with `is_deleted`.
with service_reviews as (
    select * from {{ ref('base_pm__service_reviews') }}
    where is_current_version
)

select
    service_review_id,
    review_cycle_id,
    reviewer_user_id,
    held_at,
    outcome,
    score,
    created_at,
    updated_at,
    deleted_at,
    deleted_at is not null as is_deleted,
    load_id
from service_reviews
