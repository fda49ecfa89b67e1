-- Patients as of their latest usable version: one row per patient id.
with patients as (
    select * from {{ ref('base_clinical__patients') }}
    where is_current_version
)

select
    patient_id,
    birth_date,
    birth_year,
    gender,
    is_active,
    deceased_at,
    identifier_system,
    identifier_value,
    last_updated_at,
    load_id,
    row_key
from patients
