-- Every landed review_cycles row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'review_cycles') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'review_cycles'
),

texts as (
    select
        {{ clean_text('cast(source.review_cycle_id as ' ~ t ~ ')') }} as review_cycle_id_text,
        {{ clean_text('cast(source.service_id as ' ~ t ~ ')') }} as service_id_text,
        {{ clean_text('cast(source.cycle_name as ' ~ t ~ ')') }} as cycle_name_text,
        {{ clean_text('cast(source.planned_date as ' ~ t ~ ')') }} as planned_date_text,
        {{ clean_text('cast(source.actual_date as ' ~ t ~ ')') }} as actual_date_text,
        {{ clean_text('cast(source.status as ' ~ t ~ ')') }} as cycle_status_text,
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
            partition by (defect is null), review_cycle_id
            order by updated_at desc, load_id desc
        ) as version_rank
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
    load_id,
    source_key,
    {{ dbt.concat(["'review_cycles:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a review cycle key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
