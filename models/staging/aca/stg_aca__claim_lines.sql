-- Claim lines, one row per claim_id and line_number (a later file's line replaces an
-- earlier one), usable rows only.
with claim_lines as (
    select * from {{ ref('base_aca__claim_lines') }}
    where is_current_version
)

select
    claim_id,
    line_number,
    member_id,
    provider_npi,
    plan_id,
    service_date,
    procedure_code,
    diagnosis_code,
    billed_amount_usd,
    allowed_amount_usd,
    paid_amount_usd,
    claim_status,
    load_id,
    row_key
from claim_lines
