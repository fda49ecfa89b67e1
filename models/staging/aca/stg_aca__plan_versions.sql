-- Every distinct version of each plan the files have carried (see stg_aca__member_versions):
-- usable rows in updated_at order, one per plan and updated_at, repeats of the previous
-- version's attributes dropped. The source of dim_plan's history.
with plans as (
    select * from {{ ref('base_aca__plans') }}
    where reject_reason is null
),

hashed as (
    select
        plans.*,
        {{ surrogate_key([
            'issuer_name', 'plan_name', 'metal_tier', 'state_code', 'rating_area',
            'monthly_premium_usd', 'deductible_usd', 'oop_max_usd'
        ]) }} as attributes_hash,
        row_number() over (
            partition by plan_id, updated_at
            order by load_id desc, source_file desc, source_row_number desc
        ) as rank_at_time
    from plans
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
    load_id
from sequenced
where previous_hash is null or previous_hash <> attributes_hash
