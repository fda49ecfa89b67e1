-- The extra codes a configuration version adds to its groupers' codes: those of its landed
-- configuration file, less the codes an operator removed since, plus the codes an operator
-- added since (`listed_in` = 'config_changes'). Per code the latest change wins, and only
-- while no later landing of the configuration version replaced it.
with codes as (
    select * from {{ ref('stg_tes__configuration_codes') }}
),

configurations as (
    select * from {{ ref('stg_tes__configurations') }}
),

changes as (
    select * from {{ ref('stg_tes__config_changes') }}
    where change_subject = 'code'
        and is_latest_for_key
),

-- the latest change of each code, where it is newer than the configuration version's landing
code_changes as (
    select changes.*
    from changes
    inner join configurations
        on changes.configuration_id = configurations.configuration_id
        and changes.configuration_version = configurations.configuration_version
    where changes.load_id > configurations.load_id
),

kept as (
    select
        codes.configuration_id,
        codes.configuration_version,
        codes.list_name as listed_in,
        codes.code_system,
        codes.system_uri,
        codes.code,
        codes.display
    from codes
    where not exists (
            select 1
            from code_changes
            where code_changes.change_type = 'remove_code'
                and code_changes.configuration_id = codes.configuration_id
                and code_changes.configuration_version = codes.configuration_version
                and code_changes.system_uri = codes.system_uri
                and code_changes.code = codes.code
        )
),

added as (
    select
        code_changes.configuration_id,
        code_changes.configuration_version,
        'config_changes' as listed_in,
        code_changes.code_system,
        code_changes.system_uri,
        code_changes.code,
        code_changes.display
    from code_changes
    where code_changes.change_type = 'add_code'
        and not exists (
            select 1
            from codes
            where codes.configuration_id = code_changes.configuration_id
                and codes.configuration_version = code_changes.configuration_version
                and codes.system_uri = code_changes.system_uri
                and codes.code = code_changes.code
        )
),

all_codes as (
    select * from kept
    union all
    select * from added
)

select
    {{ surrogate_key(['configuration_id', 'configuration_version', 'system_uri', 'code']) }} as configuration_code_sk,
    configuration_id,
    configuration_version,
    listed_in,
    code_system,
    system_uri,
    code,
    display
from all_codes
