-- Synthea claims as ACA claim lines (the shape of stg_aca__claim_lines, plus source_system):
-- one line per claim (line 1), usable rows only, keys prefixed `synthea:`. The plan is the
-- claim's primary payer (none for a claim without insurance: the unknown plan); the provider
-- id is not an NPI and matches no ACA provider (the unknown provider). Synthea's claims file
-- has no charges, only outstanding balances: billed, allowed and paid amounts are null.
-- Diagnosis: the first of the claim's diagnoses (a SNOMED CT code); no procedure code.
with claims as (
    select * from {{ ref('base_synthea__claims') }}
    where is_current_version
)

select
    {{ dbt.concat(["'synthea:'", "claim_id"]) }} as claim_id,
    1 as line_number,
    {{ dbt.concat(["'synthea:'", "patient_id"]) }} as member_id,
    {{ dbt.concat(["'synthea:'", "provider_id"]) }} as provider_npi,
    case when payer_id is not null then {{ dbt.concat(["'synthea:'", "payer_id"]) }} end as plan_id,
    service_date,
    cast(null as {{ dbt.type_string() }}) as procedure_code,
    diagnosis_code,
    cast(null as decimal(14, 2)) as billed_amount_usd,
    cast(null as decimal(14, 2)) as allowed_amount_usd,
    cast(null as decimal(14, 2)) as paid_amount_usd,
    claim_status,
    load_id,
    row_key,
    'synthea' as source_system
from claims
