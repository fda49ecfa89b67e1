-- Every landed Synthea claim, typed, with the reason it cannot be used (null when usable).
-- A claim becomes one claim line of the ACA star; its service date must fall within the
-- calendar (vars calendar_start_date, calendar_end_date), as an ACA claim line's must.
with source as (
    {{ landed_or_empty('synthea', 'claims', [
        'id', 'patientid', 'providerid', 'primarypatientinsuranceid', 'diagnosis1',
        'servicedate', 'status1'
    ]) }}
),

typed as (
    select
        {{ clean_text('source.id') }} as claim_id,
        {{ clean_text('source.patientid') }} as patient_id,
        {{ clean_text('source.providerid') }} as provider_id,
        {{ clean_text('source.primarypatientinsuranceid') }} as payer_id,
        upper({{ clean_text('source.diagnosis1') }}) as diagnosis_code,
        {{ clean_text('source.servicedate') }} as service_date_text,
        cast({{ iso8601_utc(clean_text('source.servicedate')) }} as date) as service_date,
        upper({{ clean_text('source.status1') }}) as status_text,
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
        case status_text
            when 'CLOSED' then 'paid'
            when 'BILLED' then 'pending'
        end as claim_status,
        case
            when claim_id is null then 'blank Id'
            when patient_id is null then 'blank PATIENTID'
            when service_date is null and service_date_text is not null
                then 'unparseable SERVICEDATE'
            when service_date is null then 'missing SERVICEDATE'
            when service_date < cast('{{ var("calendar_start_date") }}' as date)
                or service_date >= cast('{{ var("calendar_end_date") }}' as date)
                then 'SERVICEDATE outside the calendar'
            when status_text is null or status_text not in ('CLOSED', 'BILLED')
                then 'unknown STATUS1 (expected CLOSED or BILLED)'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['claim_id'], 'loaded_at desc') }}
    from checked
)

select
    claim_id,
    patient_id,
    provider_id,
    payer_id,
    diagnosis_code,
    service_date,
    claim_status,
    loaded_at,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_file > 1 then 'duplicate claim Id within file' end
    ) as reject_reason,
    (defect is null and version_rank = 1) as is_current_version
from ranked
