-- Every landed service_reviews row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'service_reviews') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'service_reviews'
),

texts as (
    select
        {{ clean_text('cast(source.service_review_id as ' ~ t ~ ')') }} as service_review_id_text,
        {{ clean_text('cast(source.review_cycle_id as ' ~ t ~ ')') }} as review_cycle_id_text,
        {{ clean_text('cast(source.reviewer_user_id as ' ~ t ~ ')') }} as reviewer_user_id_text,
        {{ clean_text('cast(source.held_at as ' ~ t ~ ')') }} as held_at_text,
        {{ clean_text('cast(source.outcome as ' ~ t ~ ')') }} as outcome_text,
        {{ clean_text('cast(source.score as ' ~ t ~ ')') }} as score_text,
        {{ clean_text('cast(source.created_at as ' ~ t ~ ')') }} as created_at_text,
        {{ clean_text('cast(source.updated_at as ' ~ t ~ ')') }} as updated_at_text,
        {{ clean_text('cast(source.deleted_at as ' ~ t ~ ')') }} as deleted_at_text,
        source._dlt_load_id as load_id,
        {{ row_to_json_text('source') }} as raw_row
    from source
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
        exists(
            select 1 from deleted_keys
            where deleted_keys.key_value = typed.source_key
                and deleted_keys.load_id > typed.load_id
        ) as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), service_review_id
            order by updated_at desc, load_id desc
        ) as version_rank
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
    load_id,
    source_key,
    {{ dbt.concat(["'service_reviews:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a service review key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
