-- Every landed encounter, trimmed and typed (status lower-cased and checked against the
-- FHIR R4 and R5 encounter statuses, period timestamps in UTC), with the reason it cannot
-- be used. The newest usable version of each encounter is current.
{%- set statuses = ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'on-hold',
                    'finished', 'completed', 'discharged', 'cancelled', 'discontinued',
                    'entered-in-error', 'unknown'] %}

with source as (
    {{ landed('clinical', 'encounters') }}
),

typed as (
    select
        {{ clean_text('source.encounter_id') }} as encounter_id,
        {{ clean_text('source.patient_id') }} as patient_id,
        lower({{ clean_text('source.status') }}) as status,
        {{ clean_text('source.class') }} as class_code,
        {{ clean_text('source.class_system') }} as class_system,
        {{ clean_text('source.period_start') }} as period_start_text,
        {{ iso8601_utc(clean_text('source.period_start')) }} as period_start_at,
        {{ clean_text('source.period_end') }} as period_end_text,
        {{ iso8601_utc(clean_text('source.period_end')) }} as period_end_at,
        {{ clean_text('source.subject_reference') }} as subject_reference,
        {{ clean_text('source.last_updated') }} as last_updated_text,
        {{ iso8601_utc(clean_text('source.last_updated')) }} as last_updated_at,
        {{ clean_text('source.source_file') }} as fhir_source_file,
        {{ clean_text('source.bundle_id') }} as bundle_id,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when encounter_id is null then 'missing encounter_id'
            when status not in ('{{ statuses | join("', '") }}') then 'invalid status'  -- noqa: LT05
            when period_start_at is null and period_start_text is not null
                then 'unparseable period_start'
            when period_end_at is null and period_end_text is not null
                then 'unparseable period_end'
            when period_end_at < period_start_at then 'period ends before it starts'
            when last_updated_at is null and last_updated_text is not null
                then 'unparseable last_updated'
        end as defect
    from typed
),

ranked as (
    {{ fhir_ranked('encounter_id') }}
)

select
    encounter_id,
    patient_id,
    status,
    class_code,
    class_system,
    period_start_at,
    period_end_at,
    subject_reference,
    last_updated_at,
    fhir_source_file,
    bundle_id,
    {{ fhir_item_tail('encounter_id') }}
from ranked
