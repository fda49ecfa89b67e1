-- Every landed review_cycles row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'review_cycles') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'review_cycles'
),

texts as (
    {{ pm_texts([
        'review_cycle_id', 'service_id', 'cycle_name', 'planned_date', 'actual_date',
        'status as cycle_status', 'created_at', 'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('review_cycle_id_text', 'integer') }} as review_cycle_id,
        {{ try_cast('service_id_text', 'integer') }} as service_id,
        cycle_name_text as cycle_name,
        {{ try_cast('planned_date_text', 'date') }} as planned_date,
        {{ try_cast('actual_date_text', 'date') }} as actual_date,
        lower(cycle_status_text) as cycle_status,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        review_cycle_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when review_cycle_id is null then 'blank or unparseable review_cycle_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when service_id is null and service_id_text is not null then 'unparseable service_id'
            when planned_date is null and planned_date_text is not null then 'unparseable planned_date'
            when actual_date is null and actual_date_text is not null then 'unparseable actual_date'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when service_id is null then 'missing service_id'
            when planned_date is null then 'missing planned_date'
            when cycle_status is null or cycle_status not in ('planned', 'completed', 'cancelled')
                then 'invalid cycle_status'
            when cycle_status = 'completed' and actual_date is null then 'completed without actual_date'
            when cycle_status <> 'completed' and actual_date is not null then 'actual_date on a cycle not completed'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['review_cycle_id']) }} as version_rank
    from checked
)

select
    review_cycle_id,
    service_id,
    cycle_name,
    planned_date,
    actual_date,
    cycle_status,
    created_at,
    updated_at,
    deleted_at,
    {{ pm_row_tail('review_cycles', 'a review cycle') }}
from ranked
