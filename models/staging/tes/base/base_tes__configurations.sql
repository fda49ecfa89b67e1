-- Every landed configuration record (JSON entry or CSV row), typed, with its reject reason.
-- The natural key is (configuration_id, version); a later landing of the same key replaces it
-- (that is how a configuration change, e.g. deactivation, arrives).
with source as (
    {{ landed('tes', 'configurations') }}
),

typed as (
    select
        coalesce(
            {{ clean_text('source.configuration_id') }},
            {{ clean_text('source.family_id') }}
        ) as configuration_id,
        {{ clean_text('source.version') }} as version_text,
        {{ try_cast(clean_text('source.version'), 'integer') }} as configuration_version,
        upper({{ clean_text('source.jurisdiction_id') }}) as jurisdiction_id,
        {{ clean_text('source.name') }} as configuration_name,
        {{ clean_text('source.description') }} as description,
        {{ clean_text('source.display_name_override') }} as display_name_override,
        lower({{ clean_text('source.is_active') }}) as is_active_text,
        {{ try_cast('lower(' ~ clean_text('source.is_active') ~ ')', 'boolean') }} as is_active,
        {{ clean_text('source.updated_at') }} as updated_at_text,
        {{ clean_text('source.source_format') }} as source_format,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when configuration_id is null then 'blank configuration id'
            when version_text is null then 'blank configuration version'
            when configuration_version is null then 'unparseable configuration version'
            when jurisdiction_id is null then 'blank jurisdiction_id'
            when is_active is null and is_active_text is not null then 'unparseable is_active'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['configuration_id', 'configuration_version'], 'load_id desc') }}
    from checked
)

select
    configuration_id,
    configuration_version,
    jurisdiction_id,
    configuration_name,
    description,
    display_name_override,
    is_active,
    updated_at_text,
    source_format,
    {{ file_row_tail('duplicate configuration id and version within file') }}
from ranked
