-- Every landed NCIt concept, keyed by its bare code (`NCIT:C19951` -> `C19951`), trimmed,
-- with the reason it cannot be used. Fragments repeat the concepts they use; the newest
-- usable version of each concept is current.

with source as (
    {{ landed('clinical', 'ncit_concepts') }}
),

typed as (
    select
        {{ clean_text('source.ncit_id') }} as ncit_id_raw,
        {{ ncit_code(clean_text('source.ncit_id')) }} as ncit_id,
        {{ clean_text('source.preferred_name') }} as preferred_name,
        {{ clean_text('source.semantic_group') }} as semantic_group,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when ncit_id_raw is null then 'missing ncit_id'
            when ncit_id is null then 'unparseable ncit_id'
            when preferred_name is null then 'missing preferred_name'
        end as defect
    from typed
),

ranked as (
    {{ fhir_ranked('ncit_id') }}
)

select
    ncit_id,
    ncit_id_raw,
    preferred_name,
    semantic_group,
    {{ fhir_item_tail('ncit_id') }}
from ranked
