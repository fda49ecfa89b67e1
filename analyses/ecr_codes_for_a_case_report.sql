-- The codes the Refiner keeps for one reportable condition (SNOMED code from the RR) in one
-- jurisdiction, by code system, and where each came from. Change the two values below.
with cache_codes as (
    select * from {{ ref('refinement_cache_codes') }}
    where snomed_code = '840539006'
        and jurisdiction_id = 'SDDH'
)

select
    code_system,
    system_uri,
    code,
    display,
    source_type,
    source_id,
    source_version
from cache_codes
order by code_system, code, source_type
