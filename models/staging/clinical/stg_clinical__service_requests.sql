-- Service requests as of their latest usable version: one row per service request id.
with requests as (
    select * from {{ ref('base_clinical__service_requests') }}
    where is_current_version
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
    load_id,
    row_key
from requests
