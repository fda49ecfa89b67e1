-- Every landed encounter, trimmed and typed (status lower-cased and checked against the
-- FHIR R4 and R5 encounter statuses, period timestamps in UTC), with the reason it cannot
-- be used. The newest usable version of each encounter is current.
{%- set statuses = ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'on-hold',
                    'finished', 'completed', 'discharged', 'cancelled', 'discontinued',
                    'entered-in-error', 'unknown'] %}
{%- set string = dbt.type_string() %}

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
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        source._item_index as item_index,
        {{ row_to_json_text('source') }} as raw_row
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

in_fragment as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), encounter_id, load_id, source_file, source_row_number
            order by item_index desc
        ) as rank_in_fragment
    from checked
),

ranked as (
    select
        in_fragment.*,
        {{ classify_rows(['encounter_id'],
            'load_id desc, source_file desc, source_row_number desc, item_index desc') }}
    from in_fragment
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
    load_id,
    source_file,
    source_row_number,
    item_index,
    {{ dbt.concat(["source_file", "':'", "cast(source_row_number as " ~ string ~ ")",
                   "'['", "cast(item_index as " ~ string ~ ")", "']'"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_fragment > 1 then 'duplicate encounter_id within fragment' end
    ) as reject_reason,
    (defect is null and rank_in_fragment = 1 and version_rank = 1) as is_current_version
from ranked
