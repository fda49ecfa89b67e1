-- Synthea payer transitions as ACA enrollments (the shape of stg_aca__enrollments, plus
-- source_system): one per patient and period start, usable rows only. Keys are prefixed
-- `synthea:`; the enrollment id is the patient and the period's start as Synthea wrote it.
-- Synthea carries no premium: null. The secondary payer is not an enrollment of its own.
with transitions as (
    select * from {{ ref('base_synthea__payer_transitions') }}
    where is_current_version
)

select
    {{ dbt.concat(["'synthea:'", "patient_id", "'@'", "start_date_text"]) }} as enrollment_id,
    {{ dbt.concat(["'synthea:'", "patient_id"]) }} as member_id,
    {{ dbt.concat(["'synthea:'", "payer_id"]) }} as plan_id,
    start_date,
    end_date,
    cast(null as decimal(12, 2)) as monthly_premium_usd,
    loaded_at as updated_at,
    load_id,
    'synthea' as source_system
from transitions
