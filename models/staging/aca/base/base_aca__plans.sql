-- Every landed plans row, typed, with the reason it cannot be used (null when usable).
-- A table built incrementally: each run types and checks the rows of loads newer than the
-- last one built, and ranks them again with every earlier row of the same plan_id.
{{ landed_rows_incremental_config() }}

with source as (
    {{ landed_since_last_build('aca', 'plans', 'plan_id') }}
),

typed as (
    select
        {{ clean_text('source.plan_id') }} as plan_id,
        {{ clean_text('source.issuer_name') }} as issuer_name,
        {{ clean_text('source.plan_name') }} as plan_name,
        lower({{ clean_text('source.metal_tier') }}) as metal_tier,
        upper({{ clean_text('source.state_code') }}) as state_code,
        {{ clean_text('source.rating_area') }} as rating_area_text,
        {{ try_cast(clean_text('source.rating_area'), 'integer') }} as rating_area,
        {{ clean_text('source.monthly_premium_usd') }} as monthly_premium_text,
        {{ try_cast(clean_text('source.monthly_premium_usd'), 'decimal(12, 2)') }} as monthly_premium_usd,
        {{ clean_text('source.deductible_usd') }} as deductible_text,
        {{ try_cast(clean_text('source.deductible_usd'), 'decimal(12, 2)') }} as deductible_usd,
        {{ clean_text('source.oop_max_usd') }} as oop_max_text,
        {{ try_cast(clean_text('source.oop_max_usd'), 'decimal(12, 2)') }} as oop_max_usd,
        {{ try_cast(clean_text('source.updated_at'), 'timestamp') }} as updated_at,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when plan_id is null then 'blank plan_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when metal_tier is null
                or metal_tier not in ('bronze', 'silver', 'gold', 'platinum', 'catastrophic')
                then 'invalid metal_tier'
            when state_code is null or not {{ regexp_like('state_code', '^[A-Z]{2}$') }}
                then 'invalid state_code'
            when rating_area is null and rating_area_text is not null then 'unparseable rating_area'
            when monthly_premium_usd is null then 'unparseable or missing monthly_premium_usd'
            when deductible_usd is null then 'unparseable or missing deductible_usd'
            when oop_max_usd is null then 'unparseable or missing oop_max_usd'
            when monthly_premium_usd < 0 or deductible_usd < 0 or oop_max_usd < 0
                then 'negative amount'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['plan_id'], 'updated_at desc') }}
    from checked
)

select
    plan_id,
    issuer_name,
    plan_name,
    metal_tier,
    state_code,
    rating_area,
    monthly_premium_usd,
    deductible_usd,
    oop_max_usd,
    updated_at,
    {{ file_row_tail('duplicate plan_id within file') }}
from ranked
