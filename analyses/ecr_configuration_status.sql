-- Configurations that produce no cache row, and why (unknown jurisdiction, grouper not landed,
-- inactive), for an operator following up with a jurisdiction.
with configurations as (
    select * from {{ ref('configurations') }}
),

cache as (
    select * from {{ ref('refinement_cache') }}
)

select
    configurations.jurisdiction_id,
    configurations.configuration_id,
    configurations.configuration_version,
    configurations.snomed_code,
    configurations.is_active,
    configurations.resolution_status,
    cache.configuration_id is not null as is_in_cache
from configurations
left join cache
    on configurations.snomed_code = cache.snomed_code
    and configurations.jurisdiction_id = cache.jurisdiction_id
    and configurations.configuration_id = cache.configuration_id
    and configurations.configuration_version = cache.configuration_version
where cache.configuration_id is null
order by
    configurations.jurisdiction_id, configurations.configuration_id,
    configurations.configuration_version
