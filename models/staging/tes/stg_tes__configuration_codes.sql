-- The extra codes of each current configuration version, code system normalized.
with configurations as (
    select * from {{ ref('stg_tes__configurations') }}
),

codes as (
    select * from {{ ref('base_tes__configuration_codes') }}
    where reject_reason is null
),

code_systems as (
    select * from {{ ref('stg_tes__code_systems') }}
)

select
    configurations.configuration_id,
    configurations.configuration_version,
    codes.list_name,
    codes.system_uri,
    coalesce(code_systems.code_system, 'other') as code_system,
    codes.code,
    codes.display,
    codes.load_id
from codes
inner join configurations
    on codes.load_id = configurations.load_id
    and codes.source_file = configurations.source_file
    and codes.configuration_row_number = configurations.source_row_number
left join code_systems
    on codes.system_uri = code_systems.system_uri
