-- Every usable request is in the fact table: one row per code, or one row when it has no
-- code; no fact row without its request or code. Returns the mismatches.
{{ config(tags=['clinical']) }}

with requests as (
    select * from {{ ref('stg_clinical__service_requests') }}
),

codes as (
    select * from {{ ref('stg_clinical__codes') }}
),

facts as (
    select * from {{ ref('fct_service_request') }}
),

expected as (
    select
        requests.service_request_id,
        codes.coding_index
    from requests
    left join codes
        on requests.service_request_id = codes.service_request_id
),

missing as (
    select
        'request code missing from the fact table' as problem,
        expected.service_request_id,
        expected.coding_index
    from expected
    where not exists (
            select 1 from facts
            where facts.service_request_id = expected.service_request_id
                and coalesce(facts.coding_index, -1) = coalesce(expected.coding_index, -1)
        )
),

extra as (
    select
        'fact row without a usable request code' as problem,
        facts.service_request_id,
        facts.coding_index
    from facts
    where not exists (
            select 1 from expected
            where facts.service_request_id = expected.service_request_id
                and coalesce(facts.coding_index, -1) = coalesce(expected.coding_index, -1)
        )
)

select * from missing
union all
select * from extra
