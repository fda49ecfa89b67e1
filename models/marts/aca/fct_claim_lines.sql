-- One row per claim line (claim_id + line_number), joined to the member and plan versions
-- valid on the service date. Incremental: each run takes the lines of loads newer than
-- the last one built, plus lines still pointing at an unknown member, plan or provider
-- (late-arriving dimensions are re-pointed once they land). Lines come from the ACA claims
-- files and from Synthea claims (stg_synthea__claim_lines, none until an export is landed);
-- `source_system` says which, and their keys cannot collide (Synthea's carry `synthea:`).
{{ config(
    materialized='incremental',
    unique_key=['claim_id', 'line_number'],
    incremental_strategy=grain_incremental_strategy(),
    on_schema_change='append_new_columns',
    indexes=fact_indexes(['service_date', 'member_sk', 'plan_sk', 'provider_sk', 'geography_sk']),
    post_hook=["{{ partition_by_month('service_date') }}"],
) }}

{#- the claim lines of each source system: its staging model, and the source_system of its rows -#}
{%- set line_columns = [
    'claim_id', 'line_number', 'member_id', 'provider_npi', 'plan_id', 'service_date',
    'procedure_code', 'diagnosis_code', 'billed_amount_usd', 'allowed_amount_usd',
    'paid_amount_usd', 'claim_status', 'load_id', 'row_key',
] %}
{%- set staged = [
    (ref('stg_aca__claim_lines'), "'aca_csv'"),
    (ref('stg_synthea__claim_lines'), 'current_lines.source_system'),
] %}

with claim_lines as (
    {%- for model, source_system in staged %}
    select
        {%- for column in line_columns %}
        current_lines.{{ column }},
        {%- endfor %}
        {{ source_system }} as source_system
    from {{ model }} as current_lines
    {%- if is_incremental() %}
    where current_lines.load_id > (
        select coalesce(max(built.source_load_id), '') from {{ this }} as built
    )
    union all
    select
        {%- for column in line_columns %}
        current_lines.{{ column }},
        {%- endfor %}
        {{ source_system }} as source_system
    from {{ model }} as current_lines
    inner join {{ this }} as unresolved
        on current_lines.claim_id = unresolved.claim_id
        and current_lines.line_number = unresolved.line_number
    where current_lines.load_id <= (
        select coalesce(max(built.source_load_id), '') from {{ this }} as built
    )
        and (
            unresolved.member_sk = {{ unknown_key() }}
            or unresolved.plan_sk = {{ unknown_key() }}
            or unresolved.provider_sk = {{ unknown_key() }}
        )
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

members as (
    select * from {{ ref('dim_member') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

providers as (
    select * from {{ ref('dim_provider') }}
),

joined as (
    select
        claim_lines.claim_id,
        claim_lines.line_number,
        claim_lines.service_date,
        coalesce(members.member_sk, {{ unknown_key() }}) as member_sk,
        coalesce(plans.plan_sk, {{ unknown_key() }}) as plan_sk,
        coalesce(providers.provider_sk, {{ unknown_key() }}) as provider_sk,
        coalesce(members.geography_sk, {{ unknown_key() }}) as geography_sk,
        claim_lines.member_id,
        claim_lines.plan_id,
        claim_lines.provider_npi,
        claim_lines.procedure_code,
        claim_lines.diagnosis_code,
        claim_lines.claim_status,
        claim_lines.billed_amount_usd,
        claim_lines.allowed_amount_usd,
        claim_lines.paid_amount_usd,
        claim_lines.load_id as source_load_id,
        claim_lines.row_key as source_row_key,
        claim_lines.source_system
    from claim_lines
    left join members
        on claim_lines.member_id = members.member_id
        and claim_lines.service_date >= members.valid_from
        and claim_lines.service_date < coalesce(members.valid_to, {{ far_future() }})
        and members.member_sk <> {{ unknown_key() }}
    left join plans
        on claim_lines.plan_id = plans.plan_id
        and claim_lines.service_date >= plans.valid_from
        and claim_lines.service_date < coalesce(plans.valid_to, {{ far_future() }})
        and plans.plan_sk <> {{ unknown_key() }}
    left join providers
        on claim_lines.provider_npi = providers.npi
        and providers.provider_sk <> {{ unknown_key() }}
)

select
    {{ surrogate_key(['claim_id', 'line_number']) }} as claim_line_sk,
    claim_id,
    line_number,
    service_date,
    member_sk,
    plan_sk,
    provider_sk,
    geography_sk,
    member_id,
    plan_id,
    provider_npi,
    procedure_code,
    diagnosis_code,
    claim_status,
    billed_amount_usd,
    allowed_amount_usd,
    paid_amount_usd,
    source_load_id,
    source_row_key,
    source_system
from joined
