-- Every landed enrollments row, typed, with the reason it cannot be used (null when usable).
-- A table built incrementally: each run types and checks the rows of loads newer than the
-- last one built, and ranks them again with every earlier row of the same enrollment_id.
{{ landed_rows_incremental_config() }}

with source as (
    {{ landed_since_last_build('aca', 'enrollments', 'enrollment_id') }}
),

typed as (
    select
        {{ clean_text('source.enrollment_id') }} as enrollment_id,
        {{ clean_text('source.member_id') }} as member_id,
        {{ clean_text('source.plan_id') }} as plan_id,
        {{ clean_text('source.start_date') }} as start_date_text,
        {{ try_cast(clean_text('source.start_date'), 'date') }} as start_date,
        {{ clean_text('source.end_date') }} as end_date_text,
        {{ try_cast(clean_text('source.end_date'), 'date') }} as end_date,
        {{ try_cast(clean_text('source.monthly_premium_usd'), 'decimal(12, 2)') }} as monthly_premium_usd,
        {{ try_cast(clean_text('source.updated_at'), 'timestamp') }} as updated_at,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when enrollment_id is null then 'blank enrollment_id'
            when member_id is null then 'blank member_id'
            when plan_id is null then 'blank plan_id'
            when start_date is null then 'unparseable or missing start_date'
            when end_date is null and end_date_text is not null then 'unparseable end_date'
            when end_date < start_date then 'end_date before start_date'
            when monthly_premium_usd is null then 'unparseable or missing monthly_premium_usd'
            when monthly_premium_usd < 0 then 'negative amount'
            when updated_at is null then 'unparseable or missing updated_at'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['enrollment_id'], 'updated_at desc') }}
    from checked
)

select
    enrollment_id,
    member_id,
    plan_id,
    start_date,
    end_date,
    monthly_premium_usd,
    updated_at,
    {{ file_row_tail('duplicate enrollment_id within file') }}
from ranked
