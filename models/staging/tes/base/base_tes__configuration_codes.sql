-- Every landed extra code of a configuration, with its code system (named, or implied by the
-- list it came from), typed, with its reject reason.
with source as (
    {{ landed('tes', 'configuration_codes') }}
),

code_systems as (
    select * from {{ ref('stg_tes__code_systems') }}
),

typed as (
    select
        {{ clean_text('source.list_name') }} as list_name,
        source.item_index,
        coalesce(
            {{ clean_text('source.system') }},
            case {{ clean_text('source.list_name') }}
                when 'loinc_codes_additions' then 'http://loinc.org'
                when 'snomed_codes_additions' then 'http://snomed.info/sct'
                when 'icd10_codes_additions' then 'http://hl7.org/fhir/sid/icd-10-cm'
                when 'rxnorm_codes_additions' then 'http://www.nlm.nih.gov/research/umls/rxnorm'
                when 'custom_codes' then 'custom'
            end
        ) as system_given,
        {{ clean_text('source.code') }} as code,
        {{ clean_text('source.display') }} as display,
        source._configuration_row_number as configuration_row_number,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

normalized as (
    select
        typed.*,
        -- a short name (`loinc`) stands for its canonical system URI
        coalesce(short_names.system_uri, typed.system_given) as system_uri
    from typed
    left join code_systems as short_names
        on lower(typed.system_given) = short_names.short_name
),

checked as (
    select
        normalized.*,
        case
            when code is null then 'blank extra code'
            when system_uri is null then 'extra code without a code system'
        end as defect
    from normalized
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), load_id, source_file, configuration_row_number, system_uri, code
            order by source_row_number
        ) as rank_in_configuration
    from checked
)

select
    list_name,
    item_index,
    system_uri,
    code,
    display,
    configuration_row_number,
    {{ file_row_tail(
        'duplicate extra code within configuration',
        'rank_in_configuration',
        current_version=false,
    ) }}
from ranked
