-- Every landed NCIt mapping, normalized: state and strategy lower-cased, score typed,
-- the NCIt id reduced to its bare code (`NCIT:C19951`, `C19951` and the OBO URL are the
-- same concept `C19951`), thresholds read from their JSON. A mapping belongs to the code
-- element of its own fragment: it is rejected when it points at a code element its
-- fragment does not hold, or when that element is rejected.
{%- set states = ['auto_mapped', 'needs_review', 'no_match'] %}
{%- set strategies = ['lexical', 'vector', 'rule', 'composite', 'manual', 'unmapped'] %}

with source as (
    {{ landed('clinical', 'mappings') }}
),

codes as (
    select * from {{ ref('base_clinical__codes') }}
),

elements_in_fragment as (
    select
        code_element_id,
        load_id,
        source_file,
        source_row_number,
        max(case when reject_reason is null then 1 else 0 end) as has_usable_row,
        max(case when is_current_version then 1 else 0 end) as is_current_element,
        min(reject_reason) as element_reject_reason
    from codes
    where code_element_id is not null
    group by code_element_id, load_id, source_file, source_row_number
),

typed as (
    select
        {{ clean_text('source.code_element_id') }} as code_element_id,
        {{ clean_text('source.cui') }} as cui,
        {{ clean_text('source.ncit_id') }} as ncit_id_raw,
        {{ ncit_code(clean_text('source.ncit_id')) }} as ncit_id,
        {{ clean_text('source.score') }} as score_text,
        {{ try_cast(clean_text('source.score'), 'double') }} as score,
        lower({{ clean_text('source.strategy') }}) as strategy,
        lower({{ clean_text('source.state') }}) as state,
        {{ clean_text('source.reason') }} as reason,
        {{ try_cast(json_get_text('source.thresholds', 'auto_map'), 'double') }} as auto_map_threshold,
        {{ try_cast(json_get_text('source.thresholds', 'review'), 'double') }} as review_threshold,
        source.source_versions,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        elements_in_fragment.is_current_element,
        case
            when typed.code_element_id is null then 'missing code_element_id'
            when elements_in_fragment.code_element_id is null
                then 'mapping points at an unknown code element'
            when elements_in_fragment.has_usable_row = 0
                then {{ dbt.concat(["'code element rejected: '", "elements_in_fragment.element_reject_reason"]) }}
            when typed.state is null or typed.state not in ('{{ states | join("', '") }}')  -- noqa: LT05
                then 'invalid mapping state'
            when typed.strategy is null or typed.strategy not in ('{{ strategies | join("', '") }}')  -- noqa: LT05
                then 'invalid mapping strategy'
            when typed.score is null then 'unparseable or missing score'
            when typed.score < 0 or typed.score > 1 then 'score outside 0..1'
        end as defect
    from typed
    left join elements_in_fragment
        on typed.code_element_id = elements_in_fragment.code_element_id
        and typed.load_id = elements_in_fragment.load_id
        and typed.source_file = elements_in_fragment.source_file
        and typed.source_row_number = elements_in_fragment.source_row_number
),

ranked as (
    select
        checked.*,
        {{ fhir_rank_in_fragment('code_element_id') }} as rank_in_fragment
    from checked
)

select
    code_element_id,
    cui,
    ncit_id_raw,
    ncit_id,
    score,
    strategy,
    state,
    reason,
    auto_map_threshold,
    review_threshold,
    source_versions,
    {{ fhir_item_tail('code_element_id', 'is_current_element = 1') }}
from ranked
