-- What refinement_cache must hold right now: one row per SNOMED code and jurisdiction with an
-- active configuration, every code (sorted lists), where they came from, and a hash of all of
-- it (`cache_inputs_hash`). The incremental cache rewrites only the keys whose hash changed.
{{ config(materialized='view') }}
{%- set systems = ['loinc', 'snomed', 'icd10', 'rxnorm'] %}

with sources as (
    select * from {{ ref('refinement_cache_sources') }}
),

codes as (
    select * from {{ ref('refinement_cache_expected_codes') }}
),

distinct_codes as (
    select distinct
        snomed_code,
        jurisdiction_id,
        code_system,
        system_uri,
        code
    from codes
),

all_codes as (
    select distinct
        snomed_code,
        jurisdiction_id,
        code
    from codes
),

code_lists as (
    select
        snomed_code,
        jurisdiction_id,
        {%- for system in systems %}
        {{ dbt.listagg(
            "case when code_system = '" ~ system ~ "' then code end",
            "','",
            "order by " ~ sort_key("case when code_system = '" ~ system ~ "' then code end")
        ) }} as {{ system }}_codes,
        {%- endfor %}
        {{ dbt.listagg(
            "case when code_system = 'other' then " ~ dbt.concat(['system_uri', "'|'", 'code']) ~ " end",
            "','",
            "order by " ~ sort_key("case when code_system = 'other' then " ~ dbt.concat(['system_uri', "'|'", 'code']) ~ " end")
        ) }} as other_codes
    from distinct_codes
    group by snomed_code, jurisdiction_id
),

aggregated as (
    select
        snomed_code,
        jurisdiction_id,
        {{ dbt.listagg('code', "','", 'order by ' ~ sort_key('code')) }} as aggregated_codes,
        count(*) as code_count
    from all_codes
    group by snomed_code, jurisdiction_id
),

origins as (
    select
        snomed_code,
        jurisdiction_id,
        cast(sum(case when source_type = 'reporting_spec_grouper' then 1 else 0 end) as integer) as grouper_code_rows,
        cast(sum(case when source_type = 'configuration' then 1 else 0 end) as integer) as configuration_code_count,
        {{ dbt.listagg(
            dbt.concat(['source_type', "'|'", 'source_id', "'|'", 'source_version', "'|'",
                        'system_uri', "'|'", 'code', "'|'", "coalesce(display, '')"]),
            "'\n'",
            'order by ' ~ sort_key(dbt.concat(['source_type', "'|'", 'source_id', "'|'", 'source_version', "'|'",
                        'system_uri', "'|'", 'code', "'|'", "coalesce(display, '')"]))
        ) }} as code_origins
    from codes
    group by snomed_code, jurisdiction_id
),

assembled as (
    select
        sources.snomed_code,
        sources.jurisdiction_id,
        sources.display_name,
        sources.condition_grouper_url,
        sources.condition_grouper_version,
        sources.reporting_spec_grouper_url,
        sources.reporting_spec_grouper_version,
        sources.configuration_id,
        sources.configuration_version,
        aggregated.aggregated_codes,
        {%- for system in systems %}
        code_lists.{{ system }}_codes,
        {%- endfor %}
        code_lists.other_codes,
        coalesce(aggregated.code_count, 0) as code_count,
        coalesce(origins.grouper_code_rows, 0) as grouper_code_rows,
        coalesce(origins.configuration_code_count, 0) as configuration_code_count,
        origins.code_origins
    from sources
    left join aggregated
        on sources.snomed_code = aggregated.snomed_code
        and sources.jurisdiction_id = aggregated.jurisdiction_id
    left join code_lists
        on sources.snomed_code = code_lists.snomed_code
        and sources.jurisdiction_id = code_lists.jurisdiction_id
    left join origins
        on sources.snomed_code = origins.snomed_code
        and sources.jurisdiction_id = origins.jurisdiction_id
)

select
    snomed_code,
    jurisdiction_id,
    display_name,
    condition_grouper_url,
    condition_grouper_version,
    reporting_spec_grouper_url,
    reporting_spec_grouper_version,
    configuration_id,
    configuration_version,
    aggregated_codes,
    {%- for system in systems %}
    {{ system }}_codes,
    {%- endfor %}
    other_codes,
    code_count,
    grouper_code_rows,
    configuration_code_count,
    {{ surrogate_key([
        'condition_grouper_url', 'condition_grouper_version', 'reporting_spec_grouper_url',
        'reporting_spec_grouper_version', 'configuration_id', 'configuration_version',
        'display_name', 'code_origins'
    ]) }} as cache_inputs_hash
from assembled
