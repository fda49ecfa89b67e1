-- Encounters as of their latest usable version: one row per encounter id.
with encounters as (
    select * from {{ ref('base_clinical__encounters') }}
    where is_current_version
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
    load_id,
    row_key
from encounters
