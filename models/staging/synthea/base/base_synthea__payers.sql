-- Every landed Synthea payer, trimmed, with the reason it cannot be used (null when usable).
-- Synthea's NO_INSURANCE row stands for having no payer: it is not a plan, and the payer
-- transitions to it are uninsured periods (base_synthea__payer_transitions).
with source as (
    {{ landed_or_empty('synthea', 'payers', ['id', 'name', 'ownership', 'state_headquartered']) }}
),

typed as (
    select
        {{ clean_text('source.id') }} as payer_id,
        {{ clean_text('source.name') }} as payer_name,
        upper({{ clean_text('source.ownership') }}) as ownership,
        upper({{ clean_text('source.state_headquartered') }}) as state_code,
        source._dlt_loaded_at as loaded_at,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

checked as (
    select
        typed.*,
        (upper(payer_name) = 'NO_INSURANCE' or ownership = 'NO_INSURANCE') as is_no_insurance,
        case
            when payer_id is null then 'blank Id'
            when payer_name is null then 'blank NAME'
            when upper(payer_name) = 'NO_INSURANCE' or ownership = 'NO_INSURANCE'
                then 'NO_INSURANCE payer: stands for no coverage, not a plan'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['payer_id'], 'loaded_at desc') }}
    from checked
)

select
    payer_id,
    payer_name,
    ownership,
    state_code,
    coalesce(is_no_insurance, false) as is_no_insurance,
    loaded_at,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_file > 1 then 'duplicate payer Id within file' end
    ) as reject_reason,
    (defect is null and version_rank = 1) as is_current_version
from ranked
