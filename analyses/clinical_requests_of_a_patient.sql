-- One patient's service requests with encounter, codes and NCIt concepts, newest first.
-- Change the patient id to look at another patient.
{% set patient_id = 'example' %}
select
    facts.ordered_at,
    facts.service_request_id,
    facts.status,
    facts.intent,
    facts.description,
    encounters.encounter_id,
    encounters.class_code as encounter_class,
    codes.code_system_name,
    codes.code,
    codes.display,
    concepts.preferred_name as ncit_concept,
    facts.mapping_state
from {{ ref('fct_service_request') }} as facts
inner join {{ ref('dim_patient') }} as patients
    on facts.patient_sk = patients.patient_sk
inner join {{ ref('dim_encounter') }} as encounters
    on facts.encounter_sk = encounters.encounter_sk
inner join {{ ref('dim_code') }} as codes
    on facts.code_sk = codes.code_sk
inner join {{ ref('dim_ncit') }} as concepts
    on facts.ncit_sk = concepts.ncit_sk
where patients.patient_id = '{{ patient_id }}'
order by facts.ordered_at desc, facts.service_request_id asc, facts.coding_index asc
