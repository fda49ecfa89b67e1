-- Every cache row holds exactly the union of its sources' codes: aggregated_codes counts the
-- distinct codes of its code rows, and every code of every reporting-spec grouper of the
-- configuration's condition grouper version, plus every extra code of the configuration, is
-- among them. Computed from the marts directly, not from the cache's own intermediate views.
with cache as (
    select * from {{ ref('refinement_cache') }}
),

cache_codes as (
    select * from {{ ref('refinement_cache_codes') }}
),

wanted as (
    select
        cache.snomed_code,
        cache.jurisdiction_id,
        grouper_codes.system_uri,
        grouper_codes.code
    from cache
    inner join {{ ref('tes_condition_grouper_references') }} as refs
        on cache.condition_grouper_url = refs.parent_grouper_url
        and cache.condition_grouper_version = refs.parent_grouper_version
    inner join {{ ref('tes_reporting_spec_grouper_codes') }} as grouper_codes
        on refs.child_grouper_url = grouper_codes.canonical_url
        and refs.child_grouper_version = grouper_codes.version
    union
    select
        cache.snomed_code,
        cache.jurisdiction_id,
        extra.system_uri,
        extra.code
    from cache
    inner join {{ ref('configuration_codes') }} as extra
        on cache.configuration_id = extra.configuration_id
        and cache.configuration_version = extra.configuration_version
),

held as (
    select distinct
        snomed_code,
        jurisdiction_id,
        system_uri,
        code
    from cache_codes
),

missing_or_extra as (
    select
        wanted.snomed_code,
        wanted.jurisdiction_id,
        wanted.system_uri,
        wanted.code,
        'missing' as problem
    from wanted
    left join held
        on wanted.snomed_code = held.snomed_code and wanted.jurisdiction_id = held.jurisdiction_id
        and wanted.system_uri = held.system_uri and wanted.code = held.code
    where held.code is null
    union all
    select
        held.snomed_code,
        held.jurisdiction_id,
        held.system_uri,
        held.code,
        'not from a source' as problem
    from held
    left join wanted
        on wanted.snomed_code = held.snomed_code and wanted.jurisdiction_id = held.jurisdiction_id
        and wanted.system_uri = held.system_uri and wanted.code = held.code
    where wanted.code is null
),

distinct_counts as (
    select
        snomed_code,
        jurisdiction_id,
        count(distinct code) as n
    from cache_codes
    group by snomed_code, jurisdiction_id
)

select
    snomed_code,
    jurisdiction_id,
    system_uri,
    code,
    problem
from missing_or_extra
union all
select
    cache.snomed_code,
    cache.jurisdiction_id,
    null as system_uri,
    null as code,
    'code_count differs from distinct codes' as problem
from cache
left join distinct_counts
    on cache.snomed_code = distinct_counts.snomed_code
    and cache.jurisdiction_id = distinct_counts.jurisdiction_id
where cache.code_count <> coalesce(distinct_counts.n, 0)
