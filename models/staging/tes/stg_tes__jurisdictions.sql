-- Jurisdictions: one row per routing code (the routing-code list first, then configuration files).
with jurisdictions as (
    select * from {{ ref('base_tes__jurisdictions') }}
    where is_current_version
)

select
    jurisdiction_id,
    jurisdiction_name,
    state_code,
    source_table,
    load_id
from jurisdictions
