-- The members facts fall back to exist: unknown patient, encounter and code (key -1) and
-- the UNKNOWN NCIt row. Returns the missing ones.
{{ config(tags=['clinical']) }}

with expected as (
    select
        'dim_patient' as dimension,
        count(*) as n
    from {{ ref('dim_patient') }}
    where patient_sk = {{ unknown_key() }} and patient_id = 'unknown'
    union all
    select
        'dim_encounter' as dimension,
        count(*) as n
    from {{ ref('dim_encounter') }}
    where encounter_sk = {{ unknown_key() }} and encounter_id = 'unknown'
    union all
    select
        'dim_code' as dimension,
        count(*) as n
    from {{ ref('dim_code') }}
    where code_sk = {{ unknown_key() }} and code_element_id = 'unknown'
    union all
    select
        'dim_ncit' as dimension,
        count(*) as n
    from {{ ref('dim_ncit') }}
    where ncit_sk = {{ unknown_key() }} and ncit_id = 'UNKNOWN'
)

select dimension from expected
where n <> 1
