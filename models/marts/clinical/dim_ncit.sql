-- NCIt concepts: every concept the pipeline sent or the reference list (seed
-- ncit_concepts) holds, keyed by the bare NCIt code; where both have a concept the
-- pipeline's newest version wins. Plus two sentinel rows:
--   NO_MATCH  "Unmapped (NoMatch)": every no-match result and every result without an NCIt id
--   UNKNOWN   an NCIt id that is in neither concept list
with pipeline_concepts as (
    select * from {{ ref('stg_clinical__ncit_concepts') }}
),

reference_concepts as (
    select
        {{ ncit_code('ncit_id') }} as ncit_id,
        preferred_name,
        semantic_group
    from {{ ref('ncit_concepts') }}
),

concepts as (
    select
        ncit_id,
        preferred_name,
        semantic_group,
        'pipeline' as concept_source
    from pipeline_concepts
    union all
    select
        ncit_id,
        preferred_name,
        semantic_group,
        'reference' as concept_source
    from reference_concepts
    where ncit_id is not null
        and ncit_id not in (select ncit_id from pipeline_concepts)
),

known as (
    select
        {{ surrogate_key(['ncit_id']) }} as ncit_sk,
        ncit_id,
        {{ dbt.concat(["'NCIT:'", "ncit_id"]) }} as ncit_curie,
        preferred_name,
        semantic_group,
        concept_source,
        false as is_sentinel
    from concepts
),

sentinels as (
    select
        'NO_MATCH' as ncit_sk,
        'NO_MATCH' as ncit_id,
        cast(null as {{ dbt.type_string() }}) as ncit_curie,
        'Unmapped (NoMatch)' as preferred_name,
        cast(null as {{ dbt.type_string() }}) as semantic_group,
        'sentinel' as concept_source,
        true as is_sentinel
    union all
    select
        {{ unknown_key() }} as ncit_sk,
        'UNKNOWN' as ncit_id,
        cast(null as {{ dbt.type_string() }}) as ncit_curie,
        'Unknown NCIt concept (not in the concept list)' as preferred_name,
        cast(null as {{ dbt.type_string() }}) as semantic_group,
        'sentinel' as concept_source,
        true as is_sentinel
)

select * from known
union all
select * from sentinels
