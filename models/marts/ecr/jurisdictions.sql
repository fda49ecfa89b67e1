-- Jurisdictions that may hold configurations: one row per routing code.
with jurisdictions as (
    select * from {{ ref('stg_tes__jurisdictions') }}
)

select
    jurisdiction_id,
    jurisdiction_name,
    state_code,
    source_table as listed_in,
    load_id
from jurisdictions
