-- Every code of every refinement_cache row, one row per code and source (reporting-spec grouper
-- version or configuration version). Incremental on the same keys and hash as the cache.
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

with expected as (
    select * from {{ ref('refinement_cache_expected') }}
),

codes as (
    select * from {{ ref('refinement_cache_expected_codes') }}
)

select
    {{ surrogate_key([
        'codes.snomed_code', 'codes.jurisdiction_id', 'codes.source_type', 'codes.source_id',
        'codes.source_version', 'codes.system_uri', 'codes.code'
    ]) }} as cache_code_sk,
    codes.snomed_code,
    codes.jurisdiction_id,
    codes.code_system,
    codes.system_uri,
    codes.code,
    codes.display,
    codes.source_type,
    codes.source_id,
    codes.source_version,
    expected.cache_inputs_hash,
    cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as refreshed_invocation_id,
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }}) as refreshed_at
from codes
inner join expected
    on codes.snomed_code = expected.snomed_code
    and codes.jurisdiction_id = expected.jurisdiction_id
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as cached
    where cached.snomed_code = expected.snomed_code
        and cached.jurisdiction_id = expected.jurisdiction_id
        and cached.cache_inputs_hash = expected.cache_inputs_hash
)
{%- endif %}
