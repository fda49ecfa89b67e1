-- The usable codes of every current ValueSet, with the code system normalized to
-- A table, not a view: the marts join it many times, and PostgreSQL plans joins over the
-- ranked base views badly.
{{ config(materialized='table') }}

-- loinc / snomed / icd10 / rxnorm / other (no system is dropped).
with valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
),

concepts as (
    select * from {{ ref('base_tes__valueset_concepts') }}
    where reject_reason is null
),

code_systems as (
    select * from {{ ref('stg_tes__code_systems') }}
)

select
    valuesets.url as valueset_url,
    valuesets.version as valueset_version,
    concepts.system_uri,
    coalesce(code_systems.code_system, 'other') as code_system,
    concepts.code,
    concepts.display,
    concepts.include_index,
    concepts.concept_index,
    concepts.load_id
from concepts
inner join valuesets
    on concepts.load_id = valuesets.load_id
    and concepts.source_file = valuesets.source_file
    and concepts.valueset_row_number = valuesets.source_row_number
left join code_systems
    on concepts.system_uri = code_systems.system_uri
