-- Every landed code (one ServiceRequest.code.coding entry), trimmed, with the reason it
-- cannot be used. A code belongs to the service request of its own fragment: it is
-- current when that request's version is, and rejected when that request is rejected.

with source as (
    {{ landed('clinical', 'codes') }}
),

requests as (
    select * from {{ ref('base_clinical__service_requests') }}
),

requests_in_fragment as (
    -- one row per request and fragment (a request repeated inside a fragment counts once)
    select
        service_request_id,
        load_id,
        source_file,
        source_row_number,
        max(case when reject_reason is null then 1 else 0 end) as has_usable_row,
        max(case when is_current_version then 1 else 0 end) as is_current_request,
        min(reject_reason) as request_reject_reason
    from requests
    where service_request_id is not null
    group by service_request_id, load_id, source_file, source_row_number
),

typed as (
    select
        {{ clean_text('source.sr_id') }} as service_request_id,
        {{ clean_text('source.coding_index') }} as coding_index_text,
        {{ try_cast(clean_text('source.coding_index'), 'integer') }} as coding_index,
        {{ clean_text('source.system') }} as code_system,
        {{ clean_text('source.code') }} as code,
        {{ clean_text('source.display') }} as display,
        {{ clean_text('source.version') }} as code_system_version,
        {{ clean_text('source.system_normalized') }} as code_system_normalized,
        {{ clean_text('source.code_element_id') }} as code_element_id,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        requests_in_fragment.is_current_request,
        case
            when typed.service_request_id is null then 'missing sr_id'
            when typed.coding_index is null then 'unparseable or missing coding_index'
            when typed.code_element_id is null then 'missing code_element_id'
            when requests_in_fragment.service_request_id is null
                then 'code of a service request not in its fragment'
            when requests_in_fragment.has_usable_row = 0
                then {{ dbt.concat(["'service request rejected: '", "requests_in_fragment.request_reject_reason"]) }}
        end as defect
    from typed
    left join requests_in_fragment
        on typed.service_request_id = requests_in_fragment.service_request_id
        and typed.load_id = requests_in_fragment.load_id
        and typed.source_file = requests_in_fragment.source_file
        and typed.source_row_number = requests_in_fragment.source_row_number
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by
                (defect is null), service_request_id, coding_index,
                load_id, source_file, source_row_number
            order by item_index desc
        ) as rank_in_fragment
    from checked
)

select
    service_request_id,
    coding_index,
    code_system,
    code,
    display,
    code_system_version,
    code_system_normalized,
    code_element_id,
    {{ fhir_item_tail('coding_index', 'is_current_request = 1') }}
from ranked
