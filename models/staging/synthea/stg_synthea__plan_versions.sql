-- Synthea payers as ACA plan versions (the shape of stg_aca__plan_versions, plus
-- source_system): one plan per payer, issuer and plan named after it, keyed `synthea:<Id>`
-- so that it cannot collide with an ACA plan id. Synthea has no metal tier, rating area,
-- premium, deductible or out-of-pocket maximum: tier `unknown`, the others null. A version
-- is dated by the load that brought it; repeats of the previous version are dropped.
with payers as (
    select * from {{ ref('base_synthea__payers') }}
    where reject_reason is null
),

mapped as (
    select
        {{ dbt.concat(["'synthea:'", "payer_id"]) }} as plan_id,
        payer_name as issuer_name,
        payer_name as plan_name,
        'unknown' as metal_tier,
        coalesce(state_code, 'unknown') as state_code,
        cast(null as integer) as rating_area,
        cast(null as decimal(12, 2)) as monthly_premium_usd,
        cast(null as decimal(12, 2)) as deductible_usd,
        cast(null as decimal(12, 2)) as oop_max_usd,
        loaded_at as updated_at,
        load_id,
        source_file,
        source_row_number
    from payers
),

hashed as (
    select
        mapped.*,
        {{ surrogate_key([
            'issuer_name', 'plan_name', 'metal_tier', 'state_code', 'rating_area',
            'monthly_premium_usd', 'deductible_usd', 'oop_max_usd'
        ]) }} as attributes_hash,
        row_number() over (
            partition by plan_id, updated_at
            order by load_id desc, source_file desc, source_row_number desc
        ) as rank_at_time
    from mapped
),

sequenced as (
    select
        hashed.*,
        lag(attributes_hash) over (partition by plan_id order by updated_at) as previous_hash
    from hashed
    where rank_at_time = 1
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
    attributes_hash,
    load_id,
    'synthea' as source_system
from sequenced
where previous_hash is null or previous_hash <> attributes_hash
