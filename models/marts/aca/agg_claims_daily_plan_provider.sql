-- Claim activity per service date, plan and provider: claims, lines and amounts.
-- Incremental by service date: a run recomputes every date that a new or replaced claim line
-- touches (its new and its earlier service date) and replaces those dates whole.
-- depends_on: {{ ref('base_aca__claim_lines') }}, {{ ref('base_synthea__claims') }}
-- (the slices to recompute, on incremental runs)
-- on_schema_change fail: the mart's contract changes its columns only with a --full-refresh.
{{ config(
    materialized=slice_materialization(),
    incremental_strategy='delete+insert',
    unique_key='service_date',
    on_schema_change='fail',
) }}

with claim_lines as (
    select * from {{ ref('fct_claim_lines') }}
    {%- if is_incremental() %}
    where service_date in ({{ claim_slices_since_last_build('service_date') }})
    {%- endif %}
)

select
    {{ surrogate_key(['service_date', 'plan_id', 'provider_npi']) }} as claims_daily_sk,
    service_date,
    plan_id,
    provider_npi,
    count(distinct claim_id) as claim_count,
    count(*) as claim_line_count,
    -- the contract's decimal(38, 2) on every engine (a PostgreSQL sum has no declared scale)
    cast(sum(billed_amount_usd) as decimal(38, 2)) as billed_amount_usd,
    cast(sum(allowed_amount_usd) as decimal(38, 2)) as allowed_amount_usd,
    cast(sum(paid_amount_usd) as decimal(38, 2)) as paid_amount_usd,
    cast(sum(case when claim_status = 'denied' then 1 else 0 end) as {{ dbt.type_bigint() }}) as denied_line_count,
    max(source_load_id) as source_load_id
from claim_lines
group by service_date, plan_id, provider_npi
