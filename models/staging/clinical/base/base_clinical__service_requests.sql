-- Every landed service request, normalized (trimmed; status, intent and priority lower-cased),
-- timestamps parsed to UTC, with the reason it cannot be used (null when usable).
-- The same request in a later fragment supersedes the earlier one (latest load wins).
{%- set statuses = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'] %}
{%- set intents = ['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order',
                   'filler-order', 'instance-order', 'option'] %}
{%- set priorities = ['routine', 'urgent', 'asap', 'stat'] %}

with source as (
    {{ landed('clinical', 'service_requests') }}
),

typed as (
    select
        {{ clean_text('source.sr_id') }} as service_request_id,
        {{ clean_text('source.patient_id') }} as patient_id,
        {{ clean_text('source.encounter_id') }} as encounter_id,
        lower({{ clean_text('source.status') }}) as status,
        lower({{ clean_text('source.intent') }}) as intent,
        lower({{ clean_text('source.priority') }}) as priority,
        {{ clean_text('source.description') }} as description,
        {{ clean_text('source.code_text') }} as code_text,
        {{ clean_text('source.ordered_at') }} as ordered_at_text,
        {{ iso8601_utc(clean_text('source.ordered_at')) }} as ordered_at,
        {{ clean_text('source.occurrence_start') }} as occurrence_start_text,
        {{ iso8601_utc(clean_text('source.occurrence_start')) }} as occurrence_start_at,
        {{ clean_text('source.subject_reference') }} as subject_reference,
        {{ clean_text('source.encounter_reference') }} as encounter_reference,
        {{ clean_text('source.requester_reference') }} as requester_reference,
        {{ clean_text('source.identifier_system') }} as identifier_system,
        {{ clean_text('source.identifier_value') }} as identifier_value,
        {{ try_cast(clean_text('source.code_count'), 'integer') }} as code_count,
        {{ clean_text('source.last_updated') }} as last_updated_text,
        {{ iso8601_utc(clean_text('source.last_updated')) }} as last_updated_at,
        {{ clean_text('source.source_file') }} as fhir_source_file,
        {{ clean_text('source.bundle_id') }} as bundle_id,
        {{ try_cast(clean_text('source.entry_index'), 'integer') }} as entry_index,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when service_request_id is null then 'missing sr_id'
            when patient_id is null and subject_reference is null then 'missing subject'
            when patient_id is null then 'unresolvable subject (not a Patient of the input)'
            when status is null then 'missing status'
            when status not in ('{{ statuses | join("', '") }}') then 'invalid status'  -- noqa: LT05
            when intent is null then 'missing intent'
            when intent not in ('{{ intents | join("', '") }}') then 'invalid intent'  -- noqa: LT05
            when priority not in ('{{ priorities | join("', '") }}') then 'invalid priority'  -- noqa: LT05
            when ordered_at is null and ordered_at_text is not null then 'unparseable ordered_at'
            when occurrence_start_at is null and occurrence_start_text is not null
                then 'unparseable occurrence_start'
            when last_updated_at is null and last_updated_text is not null
                then 'unparseable last_updated'
        end as defect
    from typed
),

ranked as (
    {{ fhir_ranked('service_request_id') }}
)

select
    service_request_id,
    patient_id,
    encounter_id,
    status,
    intent,
    priority,
    description,
    code_text,
    ordered_at,
    occurrence_start_at,
    subject_reference,
    encounter_reference,
    requester_reference,
    identifier_system,
    identifier_value,
    code_count,
    last_updated_at,
    fhir_source_file,
    bundle_id,
    entry_index,
    {{ fhir_item_tail('sr_id') }}
from ranked
