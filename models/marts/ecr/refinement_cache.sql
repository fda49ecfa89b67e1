-- The Refiner's runtime cache: one row per SNOMED condition code and jurisdiction with an
-- active configuration, holding every code to keep. Incremental: a build rewrites only the keys
-- whose inputs changed (`cache_inputs_hash`), and deletes keys that lost their configuration,
-- as the original database's triggers did. `refreshed_invocation_id` names the dbt run that
-- last wrote a row, so an untouched row visibly keeps its old one.
{{ config(
    materialized='incremental',
    unique_key=['snomed_code', 'jurisdiction_id'],
    incremental_strategy=grain_incremental_strategy(),
    on_schema_change='fail',
    post_hook=[
        "delete from {{ this }} where not exists (
            select 1 from {{ ref('refinement_cache_expected') }} as expected
            where expected.snomed_code = {{ this.identifier }}.snomed_code
                and expected.jurisdiction_id = {{ this.identifier }}.jurisdiction_id
                and expected.cache_inputs_hash = {{ this.identifier }}.cache_inputs_hash
        )"
    ]
) }}
{%- set systems = ['loinc', 'snomed', 'icd10', 'rxnorm'] %}

with expected as (
    select * from {{ ref('refinement_cache_expected') }}
)

select
    expected.snomed_code,
    expected.jurisdiction_id,
    expected.display_name,
    expected.condition_grouper_url,
    expected.condition_grouper_version,
    expected.reporting_spec_grouper_url,
    expected.reporting_spec_grouper_version,
    expected.configuration_id,
    expected.configuration_version,
    expected.aggregated_codes,
    {%- for system in systems %}
    expected.{{ system }}_codes,
    {%- endfor %}
    expected.other_codes,
    expected.code_count,
    expected.configuration_code_count,
    expected.cache_inputs_hash,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as refreshed_invocation_id,
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as refreshed_at
from expected
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as cached
    where cached.snomed_code = expected.snomed_code
        and cached.jurisdiction_id = expected.jurisdiction_id
        and cached.cache_inputs_hash = expected.cache_inputs_hash
)
{%- endif %}
