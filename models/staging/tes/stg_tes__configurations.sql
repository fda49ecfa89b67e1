-- Configuration versions as of their latest landing: one row per configuration id and version.
with configurations as (
    select * from {{ ref('base_tes__configurations') }}
    where is_current_version
)

select
    configuration_id,
    configuration_version,
    jurisdiction_id,
    configuration_name,
    description,
    display_name_override,
    is_active,
    updated_at_text,
    source_format,
    load_id,
    source_file,
    source_row_number
from configurations
