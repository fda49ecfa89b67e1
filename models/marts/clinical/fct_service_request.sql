-- One row per service request and code (coding position), with keys to the patient,
-- encounter, code element and NCIt concept, and the mapping's state and score.
-- A request without codes keeps one row (unknown code, NO_MATCH concept); a patient or
-- encounter that is not in its dimension gives the unknown member: no request is dropped.
{{ config(indexes=fact_indexes([
    'ordered_at', 'patient_sk', 'encounter_sk', 'code_sk', 'ncit_sk'
])) }}
with requests as (
    select * from {{ ref('stg_clinical__service_requests') }}
),

codes as (
    select * from {{ ref('stg_clinical__codes') }}
),

mappings as (
    select * from {{ ref('stg_clinical__mappings') }}
),

patients as (
    select * from {{ ref('dim_patient') }}
),

encounters as (
    select * from {{ ref('dim_encounter') }}
),

code_elements as (
    select * from {{ ref('dim_code') }}
),

concepts as (
    select * from {{ ref('dim_ncit') }}
    where not is_sentinel
),

request_codes as (
    select
        requests.*,
        codes.coding_index,
        codes.code_element_id,
        codes.row_key as code_row_key
    from requests
    left join codes
        on requests.service_request_id = codes.service_request_id
),

joined as (
    select
        request_codes.service_request_id,
        request_codes.coding_index,
        coalesce(patients.patient_sk, {{ unknown_key() }}) as patient_sk,
        coalesce(encounters.encounter_sk, {{ unknown_key() }}) as encounter_sk,
        coalesce(code_elements.code_sk, {{ unknown_key() }}) as code_sk,
        case
            when mappings.state is null or mappings.state = 'no_match'
                or mappings.ncit_id_raw is null
                then 'NO_MATCH'
            else coalesce(concepts.ncit_sk, {{ unknown_key() }})
        end as ncit_sk,
        request_codes.status,
        request_codes.intent,
        request_codes.priority,
        request_codes.description,
        request_codes.ordered_at,
        coalesce(mappings.state, 'no_match') as mapping_state,
        coalesce(mappings.score, 0) as mapping_score,
        coalesce(mappings.strategy, 'unmapped') as mapping_strategy,
        case
            when mappings.reason is not null then mappings.reason
            when request_codes.code_element_id is null then 'service_request_without_codes'
            else 'no_mapping_result'
        end as mapping_reason,
        mappings.ncit_id,
        request_codes.patient_id,
        request_codes.encounter_id,
        request_codes.code_element_id,
        request_codes.load_id as source_load_id,
        request_codes.row_key as source_row_key
    from request_codes
    left join mappings
        on request_codes.code_element_id = mappings.code_element_id
    left join patients
        on request_codes.patient_id = patients.patient_id
        and patients.patient_sk <> {{ unknown_key() }}
    left join encounters
        on request_codes.encounter_id = encounters.encounter_id
        and encounters.encounter_sk <> {{ unknown_key() }}
    left join code_elements
        on request_codes.code_element_id = code_elements.code_element_id
        and code_elements.code_sk <> {{ unknown_key() }}
    left join concepts
        on mappings.ncit_id = concepts.ncit_id
)

select
    {{ surrogate_key(['service_request_id', 'coding_index']) }} as service_request_code_sk,
    service_request_id,
    coding_index,
    patient_sk,
    encounter_sk,
    code_sk,
    ncit_sk,
    status,
    intent,
    priority,
    description,
    ordered_at,
    mapping_state,
    mapping_score,
    mapping_strategy,
    mapping_reason,
    ncit_id,
    patient_id,
    encounter_id,
    code_element_id,
    source_load_id,
    source_row_key
from joined
