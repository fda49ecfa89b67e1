-- Every code the cache must hold per SNOMED code and jurisdiction, and where it came from: the
-- reporting-spec groupers of the configuration's condition grouper version, and the
-- configuration's extra codes. A code from several sources has one row per source.
{{ config(materialized='view') }}

with sources as (
    select * from {{ ref('refinement_cache_sources') }}
),

refs as (
    select * from {{ ref('tes_condition_grouper_references') }}
),

grouper_codes as (
    select * from {{ ref('tes_reporting_spec_grouper_codes') }}
),

configuration_codes as (
    select * from {{ ref('configuration_codes') }}
),

from_groupers as (
    select
        sources.snomed_code,
        sources.jurisdiction_id,
        'reporting_spec_grouper' as source_type,
        refs.child_grouper_url as source_id,
        refs.child_grouper_version as source_version,
        grouper_codes.code_system,
        grouper_codes.system_uri,
        grouper_codes.code,
        grouper_codes.display
    from sources
    inner join refs
        on sources.condition_grouper_url = refs.parent_grouper_url
        and sources.condition_grouper_version = refs.parent_grouper_version
    inner join grouper_codes
        on refs.child_grouper_url = grouper_codes.canonical_url
        and refs.child_grouper_version = grouper_codes.version
),

from_configuration as (
    select
        sources.snomed_code,
        sources.jurisdiction_id,
        'configuration' as source_type,
        sources.configuration_id as source_id,
        cast(sources.configuration_version as {{ dbt.type_string() }}) as source_version,
        configuration_codes.code_system,
        configuration_codes.system_uri,
        configuration_codes.code,
        configuration_codes.display
    from sources
    inner join configuration_codes
        on sources.configuration_id = configuration_codes.configuration_id
        and sources.configuration_version = configuration_codes.configuration_version
)

select * from from_groupers
union all
select * from from_configuration
