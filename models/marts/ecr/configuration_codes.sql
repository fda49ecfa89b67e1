-- The extra codes a configuration version adds to its groupers' codes.
with codes as (
    select * from {{ ref('stg_tes__configuration_codes') }}
)

select
    {{ surrogate_key(['configuration_id', 'configuration_version', 'system_uri', 'code']) }} as configuration_code_sk,
    configuration_id,
    configuration_version,
    list_name as listed_in,
    code_system,
    system_uri,
    code,
    display
from codes
