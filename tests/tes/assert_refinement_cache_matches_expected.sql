-- The incremental cache holds exactly what its inputs say now: the same keys, each with the
-- same inputs hash, and as many code rows as the expected codes (no missed change, no stale
-- row, no key without an active configuration).
with cache as (
    select * from {{ ref('refinement_cache') }}
),

expected as (
    select * from {{ ref('refinement_cache_expected') }}
),

cache_codes as (
    select
        snomed_code,
        jurisdiction_id,
        count(*) as code_rows
    from {{ ref('refinement_cache_codes') }}
    group by snomed_code, jurisdiction_id
),

expected_codes as (
    select
        snomed_code,
        jurisdiction_id,
        count(*) as code_rows
    from {{ ref('refinement_cache_expected_codes') }}
    group by snomed_code, jurisdiction_id
),

keys as (
    select
        snomed_code,
        jurisdiction_id
    from cache
    union
    select
        snomed_code,
        jurisdiction_id
    from expected
)

select
    keys.snomed_code,
    keys.jurisdiction_id,
    cache.cache_inputs_hash as cached_hash,
    expected.cache_inputs_hash as expected_hash,
    cache_codes.code_rows as cached_code_rows,
    expected_codes.code_rows as expected_code_rows
from keys
left join cache
    on keys.snomed_code = cache.snomed_code and keys.jurisdiction_id = cache.jurisdiction_id
left join expected
    on keys.snomed_code = expected.snomed_code and keys.jurisdiction_id = expected.jurisdiction_id
left join cache_codes
    on keys.snomed_code = cache_codes.snomed_code and keys.jurisdiction_id = cache_codes.jurisdiction_id
left join expected_codes
    on keys.snomed_code = expected_codes.snomed_code and keys.jurisdiction_id = expected_codes.jurisdiction_id
where cache.cache_inputs_hash is null
    or expected.cache_inputs_hash is null
    or cache.cache_inputs_hash <> expected.cache_inputs_hash
    or coalesce(cache_codes.code_rows, 0) <> coalesce(expected_codes.code_rows, 0)
