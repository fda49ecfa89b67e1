-- Every landed ValueSet, typed, with its grouper type, its SNOMED focus code and the reason it
-- cannot be used (null when usable). Several versions of a grouper live side by side: the
-- natural key is (url, version), and a later landing of the same url|version replaces it.
with source as (
    {{ landed('tes', 'valuesets') }}
),

use_contexts as (
    {{ landed('tes', 'valueset_use_contexts') }}
),

grouper_types as (
    select
        _dlt_load_id as load_id,
        _source_file as source_file,
        _valueset_row_number as valueset_row_number,
        min(lower({{ clean_text('value_code') }})) as grouper_type,
        count(distinct lower({{ clean_text('value_code') }})) as grouper_type_count
    from use_contexts
    where {{ clean_text('context_code') }} = 'grouper-type'
    group by 1, 2, 3
),

focus_codes as (
    select
        _dlt_load_id as load_id,
        _source_file as source_file,
        _valueset_row_number as valueset_row_number,
        min({{ clean_text('value_code') }}) as snomed_code,
        count(distinct {{ clean_text('value_code') }}) as snomed_code_count
    from use_contexts
    where {{ clean_text('context_code') }} = 'focus'
        and {{ clean_text('value_system') }} in ('http://snomed.info/sct', 'urn:oid:2.16.840.1.113883.6.96')
    group by 1, 2, 3
),

typed as (
    select
        {{ clean_text('source.url') }} as url,
        {{ clean_text('source.version') }} as version,
        {{ clean_text('source.valueset_id') }} as valueset_id,
        {{ clean_text('source.resource_type') }} as resource_type,
        {{ clean_text('source.name') }} as name,
        {{ clean_text('source.title') }} as title,
        lower({{ clean_text('source.status') }}) as status,
        {{ clean_text('source.publisher') }} as publisher,
        {{ clean_text('source.description') }} as description,
        {{ clean_text('source.date') }} as date_text,
        {{ try_cast("substr(" ~ clean_text('source.date') ~ ", 1, 10)", 'date') }} as published_date,
        {{ clean_text('source.meta_last_updated') }} as meta_last_updated,
        {{ clean_text('source.file_category') }} as file_category,
        {{ clean_text('source.file_shape') }} as file_shape,
        coalesce(
            grouper_types.grouper_type,
            case
                when lower(source.meta_profiles) like '%conditiongroupervalueset%'
                    then 'condition-grouper'
                when lower(source.meta_profiles) like '%reportingspecificationgroupervalueset%'
                    then 'reporting-specification-grouper'
                when lower(source.meta_profiles) like '%additionalcontextgroupervalueset%'
                    then 'additional-context-grouper'
            end,
            'unknown'
        ) as grouper_type,
        coalesce(grouper_types.grouper_type_count, 0) as grouper_type_count,
        focus_codes.snomed_code,
        coalesce(focus_codes.snomed_code_count, 0) as snomed_code_count,
        {{ file_row_lineage('source') }}
    from source
    left join grouper_types
        on source._dlt_load_id = grouper_types.load_id
        and source._source_file = grouper_types.source_file
        and source._source_row_number = grouper_types.valueset_row_number
    left join focus_codes
        on source._dlt_load_id = focus_codes.load_id
        and source._source_file = focus_codes.source_file
        and source._source_row_number = focus_codes.valueset_row_number
),

checked as (
    select
        typed.*,
        case
            when resource_type is null or resource_type <> 'ValueSet' then 'not a ValueSet resource'
            when url is null then 'blank url'
            when url like '%|%' then 'url contains a version separator (|)'
            when version is null then 'blank version'
            when grouper_type_count > 1 then 'more than one grouper type'
            when grouper_type = 'reporting-specification-grouper' and snomed_code is null
                then 'reporting-spec grouper without a SNOMED focus code'
            when grouper_type = 'reporting-specification-grouper' and snomed_code_count > 1
                then 'reporting-spec grouper with more than one SNOMED focus code'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['url', 'version'], 'load_id desc') }}
    from checked
)

select
    url,
    version,
    valueset_id,
    name,
    title,
    status,
    publisher,
    description,
    date_text,
    published_date,
    meta_last_updated,
    grouper_type,
    snomed_code,
    file_category,
    file_shape,
    {{ file_row_tail('duplicate url|version within file') }}
from ranked
