-- Patients (current version of each), plus the unknown patient that facts and encounters
-- point to when their patient is missing.
with patients as (
    select * from {{ ref('stg_clinical__patients') }}
),

known as (
    select
        {{ surrogate_key(['patient_id']) }} as patient_sk,
        patient_id,
        birth_date,
        birth_year,
        gender,
        is_active,
        deceased_at,
        identifier_system,
        identifier_value,
        last_updated_at
    from patients
),

unknown as (
    select
        {{ unknown_key() }} as patient_sk,
        'unknown' as patient_id,
        cast(null as date) as birth_date,
        cast(null as integer) as birth_year,
        'unknown' as gender,
        cast(null as boolean) as is_active,
        cast(null as {{ dbt.type_timestamp() }}) as deceased_at,
        cast(null as {{ dbt.type_string() }}) as identifier_system,
        cast(null as {{ dbt.type_string() }}) as identifier_value,
        cast(null as {{ dbt.type_timestamp() }}) as last_updated_at
)

select * from known
union all
select * from unknown
