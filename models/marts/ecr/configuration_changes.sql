-- The operators' configuration changes (`python -m ingest config tes ...`), one row per change,
-- kept forever: who made it, when, what it changed, and whether it is what the configuration
-- holds now (`is_in_force`): the latest change of its key, not replaced by a later landing.
with changes as (
    select * from {{ ref('stg_tes__config_changes') }}
),

configurations as (
    select * from {{ ref('configurations') }}
),

codes as (
    select * from {{ ref('configuration_codes') }}
),

in_force as (
    select
        changes.*,
        changes.is_latest_for_key and case changes.change_type
            when 'activate'
                then exists (
                        select 1
                        from configurations
                        where configurations.jurisdiction_id = changes.jurisdiction_id
                            and configurations.snomed_code = changes.snomed_code
                            and configurations.configuration_id = changes.configuration_id
                            and configurations.configuration_version = changes.configuration_version
                            and configurations.is_active
                    )
            when 'deactivate'
                then not exists (
                        select 1
                        from configurations
                        where configurations.jurisdiction_id = changes.jurisdiction_id
                            and configurations.snomed_code = changes.snomed_code
                            and configurations.is_active
                    )
            when 'add_code'
                then exists (
                        select 1
                        from codes
                        where codes.configuration_id = changes.configuration_id
                            and codes.configuration_version = changes.configuration_version
                            and codes.system_uri = changes.system_uri
                            and codes.code = changes.code
                            and codes.listed_in = 'config_changes'
                    )
            else not exists (
                    select 1
                    from codes
                    where codes.configuration_id = changes.configuration_id
                        and codes.configuration_version = changes.configuration_version
                        and codes.system_uri = changes.system_uri
                        and codes.code = changes.code
                )
        end as is_in_force
    from changes
)

select
    {{ surrogate_key(['change_id']) }} as configuration_change_sk,
    change_id,
    change_type,
    change_key,
    jurisdiction_id,
    snomed_code,
    configuration_id,
    configuration_version,
    code_system,
    system_uri,
    code,
    display,
    changed_by,
    changed_at,
    is_latest_for_key,
    is_in_force,
    load_id
from in_force
