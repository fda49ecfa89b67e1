-- Every landed compose.include[] entry. An include the warehouse cannot enumerate (a whole
-- code system, a filter, an empty include) is rejected with the reason: its codes would
-- otherwise be missing without a trace.
with source as (
    {{ landed('tes', 'valueset_includes') }}
),

typed as (
    select
        {{ clean_text('source.system') }} as system_uri,
        {{ try_cast(clean_text('source.concept_count'), 'integer') }} as concept_count,
        {{ try_cast(clean_text('source.value_set_count'), 'integer') }} as value_set_count,
        {{ clean_text('source.filter_json') }} as filter_json,
        source.include_index,
        source._valueset_row_number as valueset_row_number,
        {{ file_row_lineage('source') }}
    from source
)

select
    system_uri,
    concept_count,
    value_set_count,
    filter_json,
    include_index,
    valueset_row_number,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    case
        when filter_json is not null
            then 'include with a filter or of an unexpected shape (codes not enumerated)'
        when coalesce(concept_count, 0) = 0 and coalesce(value_set_count, 0) = 0 and system_uri is not null
            then 'include of a whole code system (codes not enumerated)'
        when coalesce(concept_count, 0) = 0 and coalesce(value_set_count, 0) = 0
            then 'empty include'
    end as reject_reason
from typed
