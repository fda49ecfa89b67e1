-- What needs a curator: mapping results that are not auto-mapped (needs_review, no_match),
-- by code system, strategy, state and reason, with how many codes and requests they touch.
-- Requests without any code are left out (nothing to map).
{{ config(materialized='view') }}

with facts as (
    select * from {{ ref('fct_service_request') }}
    where mapping_state <> 'auto_mapped'
        and code_sk <> {{ unknown_key() }}
),

code_elements as (
    select * from {{ ref('dim_code') }}
),

review as (
    select
        code_elements.code_system_name,
        coalesce(code_elements.code_system_normalized, code_elements.code_system) as code_system,
        facts.mapping_strategy,
        facts.mapping_state,
        facts.mapping_reason,
        facts.service_request_id,
        facts.code_element_id,
        {{ dbt.concat([
            "coalesce(code_elements.code_system_normalized, code_elements.code_system, '?')",
            "'|'",
            "coalesce(code_elements.code, '?')",
        ]) }} as system_code,
        facts.mapping_score,
        facts.ordered_at
    from facts
    inner join code_elements
        on facts.code_sk = code_elements.code_sk
)

select
    code_system_name,
    code_system,
    mapping_strategy,
    mapping_state,
    mapping_reason,
    case mapping_state when 'needs_review' then 1 else 2 end as review_priority,
    count(*) as request_code_count,
    count(distinct service_request_id) as service_request_count,
    count(distinct system_code) as distinct_code_count,
    min(system_code) as example_system_code,
    min(mapping_score) as min_score,
    max(mapping_score) as max_score,
    round(cast(avg(mapping_score) as {{ dbt.type_numeric() }}), 3) as avg_score,
    min(ordered_at) as first_ordered_at,
    max(ordered_at) as last_ordered_at
from review
group by
    code_system_name,
    code_system,
    mapping_strategy,
    mapping_state,
    mapping_reason
