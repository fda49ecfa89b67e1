-- Every landed activation (a jurisdiction switching a configuration version on for a SNOMED
-- condition code), typed, with its reject reason. The latest landing for a jurisdiction and
-- SNOMED code is the one in force.
with source as (
    {{ landed('tes', 'activations') }}
),

typed as (
    select
        upper({{ clean_text('source.jurisdiction_id') }}) as jurisdiction_id,
        {{ clean_text('source.snomed_code') }} as snomed_code,
        coalesce(
            {{ clean_text('source.configuration_id') }},
            {{ clean_text('source.configuration_family_id') }}
        ) as configuration_id,
        {{ clean_text('source.configuration_version') }} as version_text,
        {{ try_cast(clean_text('source.configuration_version'), 'integer') }} as configuration_version,
        lower({{ clean_text('source.is_active') }}) as is_active_text,
        {{ try_cast('lower(' ~ clean_text('source.is_active') ~ ')', 'boolean') }} as is_active_given,
        {{ clean_text('source.activated_at') }} as activated_at_text,
        {{ clean_text('source.deactivated_at') }} as deactivated_at_text,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when jurisdiction_id is null then 'blank jurisdiction_id'
            when snomed_code is null then 'blank snomed_code'
            when configuration_id is null then 'blank configuration id'
            when version_text is null then 'blank configuration version'
            when configuration_version is null then 'unparseable configuration version'
            when is_active_given is null and is_active_text is not null then 'unparseable is_active'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['jurisdiction_id', 'snomed_code'], 'load_id desc') }}
    from checked
)

select
    jurisdiction_id,
    snomed_code,
    configuration_id,
    configuration_version,
    coalesce(is_active_given, deactivated_at_text is null) as is_active,
    activated_at_text,
    deactivated_at_text,
    {{ file_row_tail('duplicate activation (jurisdiction and SNOMED code) within file') }}
from ranked
