-- The operators' configuration changes, one row per change, in the order they were made, each
-- with the key it changes: a condition in a jurisdiction (activate, deactivate) or a code of a
-- configuration version (add_code, remove_code). `is_latest_for_key` marks the change in force.
with changes as (
    select * from {{ ref('base_tes__config_changes') }}
    where reject_reason is null
),

code_systems as (
    select * from {{ ref('stg_tes__code_systems') }}
),

normalized as (
    select
        changes.*,
        -- a short name (`loinc`) stands for its canonical system URI
        coalesce(short_names.system_uri, changes.system_given) as system_uri
    from changes
    left join code_systems as short_names
        on lower(changes.system_given) = short_names.short_name
),

keyed as (
    select
        changes.*,
        case
            when changes.change_type in ('activate', 'deactivate') then 'condition'
            else 'code'
        end as change_subject,
        case
            when changes.change_type in ('activate', 'deactivate')
                then {{ dbt.concat(['changes.jurisdiction_id', "'|'", 'changes.snomed_code']) }}
            else {{ dbt.concat([
                'changes.configuration_id', "'|'",
                'cast(changes.configuration_version as ' ~ dbt.type_string() ~ ')', "'|'",
                'changes.system_uri', "'|'", 'changes.code'
            ]) }}
        end as change_key
    from normalized as changes
),

ranked as (
    select
        keyed.*,
        row_number() over (
            partition by keyed.change_subject, keyed.change_key
            order by keyed.load_id desc, keyed.changed_at desc, keyed.source_row_number desc
        ) as recency_rank
    from keyed
)

select
    ranked.change_id,
    ranked.change_type,
    ranked.change_subject,
    ranked.change_key,
    ranked.jurisdiction_id,
    ranked.snomed_code,
    ranked.configuration_id,
    ranked.configuration_version,
    ranked.system_uri,
    case
        when ranked.change_subject = 'code' then coalesce(code_systems.code_system, 'other')
    end as code_system,
    ranked.code,
    ranked.display,
    ranked.changed_by,
    ranked.changed_at,
    ranked.load_id,
    ranked.source_file,
    ranked.source_row_number,
    (ranked.recency_rank = 1) as is_latest_for_key
from ranked
left join code_systems
    on ranked.system_uri = code_systems.system_uri
