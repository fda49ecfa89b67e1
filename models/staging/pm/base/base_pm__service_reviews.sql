-- Every landed service_reviews row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'service_reviews') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'service_reviews'
),

texts as (
    {{ pm_texts([
        'service_review_id', 'review_cycle_id', 'reviewer_user_id', 'held_at', 'outcome',
        'score', 'created_at', 'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('service_review_id_text', 'integer') }} as service_review_id,
        {{ try_cast('review_cycle_id_text', 'integer') }} as review_cycle_id,
        {{ try_cast('reviewer_user_id_text', 'integer') }} as reviewer_user_id,
        {{ try_cast('held_at_text', 'timestamp') }} as held_at,
        lower(outcome_text) as outcome,
        {{ try_cast('score_text', 'integer') }} as score,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        service_review_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when service_review_id is null then 'blank or unparseable service_review_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when review_cycle_id is null and review_cycle_id_text is not null then 'unparseable review_cycle_id'
            when reviewer_user_id is null and reviewer_user_id_text is not null then 'unparseable reviewer_user_id'
            when held_at is null and held_at_text is not null then 'unparseable held_at'
            when score is null and score_text is not null then 'unparseable score'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when review_cycle_id is null then 'missing review_cycle_id'
            when reviewer_user_id is null then 'missing reviewer_user_id'
            when held_at is null then 'missing held_at'
            when score is null then 'missing score'
            when outcome is null or outcome not in ('approved', 'approved_with_actions', 'needs_rework', 'rejected')
                then 'invalid outcome'
            when score < 1 or score > 5 then 'score out of range 1-5'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['service_review_id']) }} as version_rank
    from checked
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
    {{ pm_row_tail('service_reviews', 'a service review') }}
from ranked
