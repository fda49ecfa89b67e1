-- No configuration, no cache row: every cache key has an active, resolved configuration row for
-- that SNOMED code in that jurisdiction, and the cache names that configuration version.
with cache as (
    select * from {{ ref('refinement_cache') }}
),

configurations as (
    select * from {{ ref('configurations') }}
    where is_active
        and resolution_status = 'resolved'
)

select
    cache.snomed_code,
    cache.jurisdiction_id,
    cache.configuration_id,
    cache.configuration_version
from cache
where not exists (
        select 1
        from configurations
        where configurations.snomed_code = cache.snomed_code
            and configurations.jurisdiction_id = cache.jurisdiction_id
            and configurations.configuration_id = cache.configuration_id
            and configurations.configuration_version = cache.configuration_version
    )
