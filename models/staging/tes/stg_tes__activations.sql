-- The activation in force per jurisdiction and SNOMED condition code (the latest landed).
with activations as (
    select * from {{ ref('base_tes__activations') }}
    where is_current_version
)

select
    jurisdiction_id,
    snomed_code,
    configuration_id,
    configuration_version,
    is_active,
    activated_at_text,
    deactivated_at_text,
    load_id
from activations
