-- Claim activity per member and service month: claims, lines and amounts.
-- Incremental by member: a run recomputes every member that a new or replaced claim line
-- touches (its new and its earlier member) and replaces those members' months whole.
-- depends_on: {{ ref('base_aca__claim_lines') }}, {{ ref('base_synthea__claims') }}
-- (the slices to recompute, on incremental runs)
-- on_schema_change fail: the mart's contract changes its columns only with a --full-refresh.
{{ config(
    materialized=slice_materialization(),
    incremental_strategy='delete+insert',
    unique_key='member_id',
    on_schema_change='fail',
) }}

with claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
    {%- if is_incremental() %}
    where member_id in ({{ claim_slices_since_last_build('member_id') }})
    {%- endif %}
),

monthly as (
    select
        member_id,
        cast({{ dbt.date_trunc('month', 'service_date') }} as date) as service_month_start_date,
        claim_id,
        billed_amount_usd,
        allowed_amount_usd,
        paid_amount_usd,
        source_load_id
    from claim_lines
)

select
    {{ surrogate_key(['member_id', 'service_month_start_date']) }} as claims_monthly_member_sk,
    member_id,
    service_month_start_date,
    count(distinct claim_id) as claim_count,
    count(*) as claim_line_count,
    -- the contract's decimal(38, 2) on every engine (a PostgreSQL sum has no declared scale)
    cast(sum(billed_amount_usd) as decimal(38, 2)) as billed_amount_usd,
    cast(sum(allowed_amount_usd) as decimal(38, 2)) as allowed_amount_usd,
    cast(sum(paid_amount_usd) as decimal(38, 2)) as paid_amount_usd,
    max(source_load_id) as source_load_id
from monthly
group by member_id, service_month_start_date
