-- Plans with full history (SCD2): one row per plan version (premium, deductible and other
-- tracked attributes), valid from the source's updated_at of that version until the next
-- version's; the first version reaches back to the beginning of time. Plus an unknown row.
-- Versions come from every landed record (stg_aca__plan_versions, and Synthea payers from
-- stg_synthea__plan_versions); the snapshot tells which plans the ACA files dropped.
with aca_versions as (
    select * from {{ ref('stg_aca__plan_versions') }}
),

synthea_versions as (
    select * from {{ ref('stg_synthea__plan_versions') }}
),

source_versions as (
    -- the two source systems' plans side by side; their ids cannot collide (Synthea's carry
    -- the prefix `synthea:`), and Synthea has none until an export is landed
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
        'aca_csv' as source_system
    from aca_versions
    union all
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
        source_system
    from synthea_versions
),

tiers as (
    select * from {{ ref('metal_tiers') }}
),

windowed as (
    {{ versions_history('source_versions', ref('snp_aca__plans'), 'plan_id') }}
),

known as (
    select
        {{ surrogate_key(['windowed.plan_id', 'windowed.valid_from']) }} as plan_sk,
        windowed.plan_id,
        windowed.issuer_name,
        windowed.plan_name,
        windowed.metal_tier,
        tiers.tier_order as metal_tier_order,
        tiers.actuarial_value_pct,
        windowed.state_code,
        windowed.rating_area,
        windowed.monthly_premium_usd,
        windowed.deductible_usd,
        windowed.oop_max_usd,
        windowed.version_number,
        windowed.valid_from,
        windowed.valid_to,
        windowed.valid_to is null as is_current,
        windowed.is_deleted,
        windowed.source_system
    from windowed
    left join tiers
        on windowed.metal_tier = tiers.metal_tier
),

unknown as (
    select
        {{ unknown_key() }} as plan_sk,
        'unknown' as plan_id,
        'Unknown issuer' as issuer_name,
        'Unknown plan' as plan_name,
        'unknown' as metal_tier,
        cast(null as integer) as metal_tier_order,
        cast(null as integer) as actuarial_value_pct,
        'unknown' as state_code,
        cast(null as integer) as rating_area,
        cast(null as decimal(12, 2)) as monthly_premium_usd,
        cast(null as decimal(12, 2)) as deductible_usd,
        cast(null as decimal(12, 2)) as oop_max_usd,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted,
        'unknown' as source_system
)

select * from known
union all
select * from unknown
