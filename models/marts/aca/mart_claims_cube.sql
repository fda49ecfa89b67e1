-- The ACA datacube: claim lines and member months summed over four hierarchies, at every
-- combination of one level per hierarchy: GROUP BY ROLLUP(month), ROLLUP(metal tier, plan),
-- ROLLUP(state, rating area, county), ROLLUP(provider specialty) is their cross product,
-- 2 x 3 x 4 x 2 = 48 grouping sets (the same syntax on DuckDB, PostgreSQL and Spark).
-- Geography is the member's county on the service date (claims) or the first of the month
-- (member months). Member months have no provider: their measures are filled only in cells
-- that roll specialty up, and null where the cell is one specialty.
-- Every dimension key is non-null in the facts ('unknown' where the dimension did not
-- match), so in the cube a null key means exactly "rolled up" (grouping_<dimension> = 1).
{%- set dimensions = [
    'month_start_date', 'metal_tier', 'plan_id',
    'state_code', 'rating_area_name', 'county_fips',
    'provider_specialty',
] %}
{%- set flags = [] %}
{%- for column in dimensions %}{% do flags.append('grouping_' ~ column) %}{% endfor %}

with claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
),

member_months as (
    select * from {{ ref('fct_member_months') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

members as (
    select * from {{ ref('dim_member') }}
),

geography as (
    select * from {{ ref('dim_geography') }}
),

providers as (
    select * from {{ ref('dim_provider') }}
),

claim_facts as (
    select
        cast({{ dbt.date_trunc('month', 'claim_lines.service_date') }} as date) as month_start_date,
        coalesce(plans.metal_tier, 'unknown') as metal_tier,
        coalesce(claim_lines.plan_id, 'unknown') as plan_id,
        coalesce(geography.state_code, 'unknown') as state_code,
        coalesce(geography.rating_area_name, 'unknown') as rating_area_name,
        coalesce(geography.county_fips, 'unknown') as county_fips,
        coalesce(providers.specialty, 'unknown') as provider_specialty,
        claim_lines.claim_id,
        claim_lines.claim_status,
        claim_lines.billed_amount_usd,
        claim_lines.allowed_amount_usd,
        claim_lines.paid_amount_usd
    from claim_lines
    left join plans
        on claim_lines.plan_sk = plans.plan_sk
    left join geography
        on claim_lines.geography_sk = geography.geography_sk
    left join providers
        on claim_lines.provider_sk = providers.provider_sk
),

member_month_facts as (
    select
        member_months.month_start_date,
        coalesce(plans.metal_tier, 'unknown') as metal_tier,
        coalesce(member_months.plan_id, 'unknown') as plan_id,
        coalesce(geography.state_code, 'unknown') as state_code,
        coalesce(geography.rating_area_name, 'unknown') as rating_area_name,
        coalesce(geography.county_fips, 'unknown') as county_fips,
        member_months.premium_usd
    from member_months
    left join plans
        on member_months.plan_sk = plans.plan_sk
    left join members
        on member_months.member_sk = members.member_sk
    left join geography
        on members.geography_sk = geography.geography_sk
),

claims_cube as (
    select
        {%- for column in dimensions %}
        {{ grouping_flag(column) }} as grouping_{{ column }},
        {%- endfor %}
        {%- for column in dimensions %}
        {{ column }},
        {%- endfor %}
        count(*) as claim_line_count,
        count(distinct claim_id) as claim_count,
        cast(sum(case when claim_status = 'denied' then 1 else 0 end) as {{ dbt.type_bigint() }})
            as denied_claim_line_count,
        sum(billed_amount_usd) as billed_amount_usd,
        sum(allowed_amount_usd) as allowed_amount_usd,
        sum(paid_amount_usd) as paid_amount_usd,
        cast(null as {{ dbt.type_bigint() }}) as member_months,
        cast(null as decimal(38, 2)) as premium_usd
    from claim_facts
    -- sqlfluff's PostgreSQL dialect wants `rollup (`, its DuckDB dialect `rollup(`: hence noqa
    group by
        rollup(month_start_date),  -- noqa: LT01
        rollup(metal_tier, plan_id),  -- noqa: LT01
        rollup(state_code, rating_area_name, county_fips),  -- noqa: LT01
        rollup(provider_specialty)  -- noqa: LT01
),

member_months_cube as (
    select
        {%- for column in dimensions %}
        {%- if column == 'provider_specialty' %}
        1 as grouping_{{ column }},
        {%- else %}
        {{ grouping_flag(column) }} as grouping_{{ column }},
        {%- endif %}
        {%- endfor %}
        {%- for column in dimensions %}
        {%- if column == 'provider_specialty' %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- else %}
        {{ column }},
        {%- endif %}
        {%- endfor %}
        cast(null as {{ dbt.type_bigint() }}) as claim_line_count,
        cast(null as {{ dbt.type_bigint() }}) as claim_count,
        cast(null as {{ dbt.type_bigint() }}) as denied_claim_line_count,
        cast(null as decimal(38, 2)) as billed_amount_usd,
        cast(null as decimal(38, 2)) as allowed_amount_usd,
        cast(null as decimal(38, 2)) as paid_amount_usd,
        count(*) as member_months,
        sum(premium_usd) as premium_usd
    from member_month_facts
    group by
        rollup(month_start_date),  -- noqa: LT01
        rollup(metal_tier, plan_id),  -- noqa: LT01
        rollup(state_code, rating_area_name, county_fips)  -- noqa: LT01
),

both_cubes as (
    select * from claims_cube
    union all
    select * from member_months_cube
),

-- a cell has at most one row from each cube: max() picks it, keeping its type
cells as (
    select
        {%- for column in dimensions %}
        grouping_{{ column }},
        {%- endfor %}
        {%- for column in dimensions %}
        {{ column }},
        {%- endfor %}
        max(claim_line_count) as claim_line_count,
        max(claim_count) as claim_count,
        max(denied_claim_line_count) as denied_claim_line_count,
        max(billed_amount_usd) as billed_amount_usd,
        max(allowed_amount_usd) as allowed_amount_usd,
        max(paid_amount_usd) as paid_amount_usd,
        max(member_months) as member_months,
        max(premium_usd) as premium_usd
    from both_cubes
    group by
        {%- for column in dimensions %}
        grouping_{{ column }},
        {%- endfor %}
        {%- for column in dimensions %}
        {{ column }}{% if not loop.last %},{% endif %}
        {%- endfor %}
),

measured as (
    select
        {{ grouping_id(flags) }} as grouping_id,
        {%- for column in dimensions %}
        grouping_{{ column }},
        {%- endfor %}
        {%- for column in dimensions %}
        {{ column }},
        {%- endfor %}
        coalesce(claim_line_count, 0) as claim_line_count,
        coalesce(claim_count, 0) as claim_count,
        coalesce(denied_claim_line_count, 0) as denied_claim_line_count,
        cast(coalesce(billed_amount_usd, 0) as decimal(38, 2)) as billed_amount_usd,
        cast(coalesce(allowed_amount_usd, 0) as decimal(38, 2)) as allowed_amount_usd,
        cast(coalesce(paid_amount_usd, 0) as decimal(38, 2)) as paid_amount_usd,
        case when grouping_provider_specialty = 1 then coalesce(member_months, 0) end as member_months,
        case
            when grouping_provider_specialty = 1 then cast(coalesce(premium_usd, 0) as decimal(38, 2))
        end as premium_usd
    from cells
)

select
    {{ surrogate_key(['grouping_id'] + dimensions) }} as cube_cell_sk,
    grouping_id,
    {{ dimensions | length }} - ({{ flags | join(' + ') }}) as grouping_level,
    grouping_month_start_date,
    grouping_metal_tier,
    grouping_plan_id,
    grouping_state_code,
    grouping_rating_area_name,
    grouping_county_fips,
    grouping_provider_specialty,
    month_start_date,
    metal_tier,
    plan_id,
    state_code,
    rating_area_name,
    county_fips,
    provider_specialty,
    claim_line_count,
    claim_count,
    denied_claim_line_count,
    billed_amount_usd,
    allowed_amount_usd,
    paid_amount_usd,
    member_months,
    premium_usd,
    case
        when member_months > 0
            then round(cast(allowed_amount_usd / member_months as {{ dbt.type_numeric() }}), 2)
    end as allowed_pmpm_usd,
    case
        when member_months > 0
            then round(cast(paid_amount_usd / member_months as {{ dbt.type_numeric() }}), 2)
    end as paid_pmpm_usd
from measured
