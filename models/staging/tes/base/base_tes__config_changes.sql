-- Every landed configuration change (the operators' append-only change log), typed, with its
-- reject reason. A change is never rewritten: the latest change per key is the one in force.
with source as (
    {{ landed('tes', 'config_changes') }}
),

typed as (
    select
        {{ clean_text('source.change_id') }} as change_id,
        lower({{ clean_text('source.change_type') }}) as change_type,
        upper({{ clean_text('source.jurisdiction_id') }}) as jurisdiction_id,
        {{ clean_text('source.snomed_code') }} as snomed_code,
        {{ clean_text('source.configuration_id') }} as configuration_id,
        {{ clean_text('source.configuration_version') }} as version_text,
        {{ try_cast(clean_text('source.configuration_version'), 'integer') }} as configuration_version,
        {{ clean_text('source.system') }} as system_given,
        {{ clean_text('source.code') }} as code,
        {{ clean_text('source.display') }} as display,
        {{ clean_text('source.changed_by') }} as changed_by,
        {{ clean_text('source.changed_at') }} as changed_at_text,
        {{ iso8601_utc(clean_text('source.changed_at')) }} as changed_at,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        {{ row_to_json_text('source') }} as raw_row
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when change_id is null then 'blank change_id'
            when change_type is null then 'blank change_type'
            when change_type not in ('activate', 'deactivate', 'add_code', 'remove_code')
                then 'unknown change_type'
            when changed_by is null then 'blank changed_by'
            when changed_at is null then 'blank or unparseable changed_at'
            when change_type in ('activate', 'deactivate') and jurisdiction_id is null
                then 'blank jurisdiction_id'
            when change_type in ('activate', 'deactivate') and snomed_code is null
                then 'blank snomed_code'
            when change_type <> 'deactivate' and configuration_id is null
                then 'blank configuration id'
            when change_type <> 'deactivate' and configuration_version is null
                then 'blank or unparseable configuration version'
            when change_type in ('add_code', 'remove_code') and code is null then 'blank code'
            when change_type in ('add_code', 'remove_code') and system_given is null
                then 'code without a code system'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), change_id
            order by load_id, source_file, source_row_number
        ) as rank_of_id
    from checked
)

select
    change_id,
    change_type,
    jurisdiction_id,
    snomed_code,
    configuration_id,
    configuration_version,
    system_given,
    code,
    display,
    changed_by,
    changed_at,
    changed_at_text,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_of_id > 1 then 'duplicate change_id (the change was landed before)' end
    ) as reject_reason
from ranked
