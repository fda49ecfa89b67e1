-- Every landed claim line, typed, with the reason it cannot be used (null when usable).
-- A table built incrementally, because claim lines are the bulk of the data: each run types
-- and checks the lines of loads newer than the last one built, and ranks them again together
-- with every earlier line of the same claims (the only rows whose ranks a new line can change).
{{ landed_rows_incremental_config() }}

with source as (
    {{ landed_since_last_build('aca', 'claim_lines', 'claim_id') }}
),

trimmed as (
    select
        {{ clean_text('source.claim_id') }} as claim_id,
        {{ clean_text('source.line_number') }} as line_number_text,
        {{ clean_text('source.member_id') }} as member_id,
        {{ clean_text('source.provider_npi') }} as provider_npi,
        {{ clean_text('source.plan_id') }} as plan_id,
        {{ clean_text('source.service_date') }} as service_date_text,
        upper({{ clean_text('source.procedure_code') }}) as procedure_code,
        upper({{ clean_text('source.diagnosis_code') }}) as diagnosis_code,
        {{ clean_text('source.billed_amount_usd') }} as billed_amount_text,
        {{ clean_text('source.allowed_amount_usd') }} as allowed_amount_text,
        {{ clean_text('source.paid_amount_usd') }} as paid_amount_text,
        lower({{ clean_text('source.claim_status') }}) as claim_status,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

typed as (
    select
        trimmed.*,
        {{ try_cast('line_number_text', 'integer') }} as line_number,
        {{ try_cast('service_date_text', 'date') }} as service_date,
        {{ try_cast('billed_amount_text', 'decimal(14, 2)') }} as billed_amount_usd,
        {{ try_cast('allowed_amount_text', 'decimal(14, 2)') }} as allowed_amount_usd,
        {{ try_cast('paid_amount_text', 'decimal(14, 2)') }} as paid_amount_usd
    from trimmed
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when claim_id is null then 'blank claim_id'
            when line_number is null then 'unparseable or missing line_number'
            when line_number < 1 then 'line_number below 1'
            when member_id is null then 'blank member_id'
            when service_date is null and service_date_text is not null
                then 'unparseable service_date'
            when service_date is null then 'missing service_date'
            when service_date < cast('{{ var("calendar_start_date") }}' as date)
                or service_date >= cast('{{ var("calendar_end_date") }}' as date)
                then 'service_date outside the calendar'
            when billed_amount_usd is null or allowed_amount_usd is null or paid_amount_usd is null
                then 'unparseable or missing amount'
            when billed_amount_usd < 0 or allowed_amount_usd < 0 or paid_amount_usd < 0
                then 'negative amount'
            when paid_amount_usd > allowed_amount_usd then 'paid amount above allowed amount'
            when claim_status is null or claim_status not in ('paid', 'denied', 'pending')
                then 'invalid claim_status'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['claim_id', 'line_number'], 'load_id desc') }}
    from checked
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
    {{ file_row_tail('duplicate claim line within file') }}
from ranked
