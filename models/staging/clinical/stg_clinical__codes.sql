-- Codes of the current service request versions: one row per request and coding position.
with codes as (
    select * from {{ ref('base_clinical__codes') }}
    where is_current_version
)

select
    service_request_id,
    coding_index,
    code_element_id,
    code_system,
    code_system_normalized,
    code,
    display,
    code_system_version,
    load_id,
    row_key
from codes
