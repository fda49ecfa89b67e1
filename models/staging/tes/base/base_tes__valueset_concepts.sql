-- Every landed concept of a ValueSet's compose.include[], typed, with its reject reason.
with source as (
    {{ landed('tes', 'valueset_concepts') }}
),

typed as (
    select
        {{ clean_text('source.system') }} as system_uri,
        {{ clean_text('source.system_version') }} as system_version,
        {{ clean_text('source.code') }} as code,
        {{ clean_text('source.display') }} as display,
        source.include_index,
        source.concept_index,
        source._valueset_row_number as valueset_row_number,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when code is null then 'concept without a code'
            when system_uri is null then 'concept without a code system'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), load_id, source_file, valueset_row_number, system_uri, code
            order by source_row_number
        ) as rank_in_valueset
    from checked
)

select
    system_uri,
    system_version,
    code,
    display,
    include_index,
    concept_index,
    valueset_row_number,
    {{ file_row_tail(
        'duplicate code within value set',
        'rank_in_valueset',
        current_version=false,
    ) }}
from ranked
