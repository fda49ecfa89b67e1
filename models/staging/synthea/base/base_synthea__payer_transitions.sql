-- Every landed Synthea payer transition (a patient's period with one payer), typed, with the
-- reason it cannot be used (null when usable). A period with the NO_INSURANCE payer is an
-- uninsured period, not an enrollment: rejected with that reason, found through the payers
-- landed beside it. Timestamps (`2026-02-25T16:16:54Z`) become UTC dates.
with source as (
    {{ landed_or_empty('synthea', 'payer_transitions', [
        'patient', 'start_date', 'end_date', 'payer'
    ]) }}
),

no_insurance_payers as (
    select distinct payer_id
    from {{ ref('base_synthea__payers') }}
    where is_no_insurance
),

typed as (
    select
        {{ clean_text('source.patient') }} as patient_id,
        {{ clean_text('source.payer') }} as payer_id,
        {{ clean_text('source.start_date') }} as start_date_text,
        cast({{ iso8601_utc(clean_text('source.start_date')) }} as date) as start_date,
        {{ clean_text('source.end_date') }} as end_date_text,
        cast({{ iso8601_utc(clean_text('source.end_date')) }} as date) as end_date,
        source._dlt_loaded_at as loaded_at,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

checked as (
    select
        typed.*,
        case
            when typed.patient_id is null then 'blank PATIENT'
            when typed.payer_id is null then 'blank PAYER'
            when typed.start_date is null and typed.start_date_text is not null
                then 'unparseable START_DATE'
            when typed.start_date is null then 'missing START_DATE'
            when typed.end_date is null and typed.end_date_text is not null
                then 'unparseable END_DATE'
            when typed.end_date < typed.start_date then 'END_DATE before START_DATE'
            when no_insurance_payers.payer_id is not null
                then 'uninsured period (payer NO_INSURANCE): not an enrollment'
        end as defect
    from typed
    left join no_insurance_payers
        on typed.payer_id = no_insurance_payers.payer_id
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['patient_id', 'start_date_text'], 'loaded_at desc') }}
    from checked
)

select
    patient_id,
    payer_id,
    start_date_text,
    start_date,
    end_date,
    loaded_at,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_file > 1 then 'duplicate transition (PATIENT, START_DATE) within file' end
    ) as reject_reason,
    (defect is null and version_rank = 1) as is_current_version
from ranked
