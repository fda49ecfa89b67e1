-- Encounters (current version of each) with the patient the encounter names, plus the
-- unknown encounter that service requests point to when their encounter reference is
-- absent or names an encounter the input did not hold.
with encounters as (
    select * from {{ ref('stg_clinical__encounters') }}
),

patients as (
    select * from {{ ref('dim_patient') }}
),

known as (
    select
        {{ surrogate_key(['encounters.encounter_id']) }} as encounter_sk,
        encounters.encounter_id,
        coalesce(patients.patient_sk, {{ unknown_key() }}) as patient_sk,
        encounters.patient_id,
        encounters.status,
        encounters.class_code,
        encounters.class_system,
        encounters.period_start_at,
        encounters.period_end_at,
        encounters.last_updated_at
    from encounters
    left join patients
        on encounters.patient_id = patients.patient_id
        and patients.patient_sk <> {{ unknown_key() }}
),

unknown as (
    select
        {{ unknown_key() }} as encounter_sk,
        'unknown' as encounter_id,
        {{ unknown_key() }} as patient_sk,
        cast(null as {{ dbt.type_string() }}) as patient_id,
        'unknown' as status,
        cast(null as {{ dbt.type_string() }}) as class_code,
        cast(null as {{ dbt.type_string() }}) as class_system,
        cast(null as {{ dbt.type_timestamp() }}) as period_start_at,
        cast(null as {{ dbt.type_timestamp() }}) as period_end_at,
        cast(null as {{ dbt.type_timestamp() }}) as last_updated_at
)

select * from known
union all
select * from unknown
