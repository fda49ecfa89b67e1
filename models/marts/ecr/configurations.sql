-- Configurations: a jurisdiction's activation of reporting-spec groupers, one row per
-- configuration version and reporting-spec grouper (child) it covers, resolved against the
-- landed groupers. A configuration names either a condition grouper version (it then covers
-- every landed child of it) or a child directly; a blank version means the latest landed one,
-- and a child named directly belongs to the newest condition grouper that references it.
-- Rows that cannot be resolved stay, with `resolution_status` saying why. Active: the latest
-- operator change (`config tes activate|deactivate`) newer than the landings, else the landed
-- `is_active`, else the landed activation.
with configurations as (
    select * from {{ ref('stg_tes__configurations') }}
),

configuration_groupers as (
    select * from {{ ref('stg_tes__configuration_groupers') }}
),

activations as (
    select * from {{ ref('stg_tes__activations') }}
),

jurisdictions as (
    select * from {{ ref('jurisdictions') }}
),

valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
),

references_resolved as (
    select * from {{ ref('tes_condition_grouper_references') }}
),

extra_codes as (
    select
        configuration_id,
        configuration_version,
        count(*) as extra_code_count
    from {{ ref('configuration_codes') }}
    group by configuration_id, configuration_version
),

-- the latest operator change per jurisdiction and SNOMED code (config tes activate/deactivate)
condition_changes as (
    select * from {{ ref('stg_tes__config_changes') }}
    where change_subject = 'condition'
        and is_latest_for_key
),

latest_versions as (
    select
        url,
        version,
        row_number() over (
            partition by url
            order by
                published_date desc nulls last, meta_last_updated desc nulls last,
                {{ sort_key('version') }} desc
        ) as recency_rank
    from valuesets
),

-- the grouper each list entry names, its version resolved ("latest" where blank)
included as (
    select
        configuration_groupers.configuration_id,
        configuration_groupers.configuration_version,
        configuration_groupers.list_name,
        configuration_groupers.item_index,
        configuration_groupers.grouper_url as included_grouper_url,
        configuration_groupers.grouper_version as included_grouper_version,
        coalesce(configuration_groupers.grouper_version, latest_versions.version) as resolved_version,
        valuesets.grouper_type as included_grouper_type
    from configuration_groupers
    left join latest_versions
        on configuration_groupers.grouper_version is null
        and configuration_groupers.grouper_url = latest_versions.url
        and latest_versions.recency_rank = 1
    left join valuesets
        on configuration_groupers.grouper_url = valuesets.url
        and coalesce(configuration_groupers.grouper_version, latest_versions.version) = valuesets.version
),

-- a reporting-spec grouper named directly: its newest referencing condition grouper
parents_of_children as (
    select
        references_resolved.child_grouper_url,
        references_resolved.child_grouper_version,
        references_resolved.parent_grouper_url,
        references_resolved.parent_grouper_version,
        row_number() over (
            partition by references_resolved.child_grouper_url, references_resolved.child_grouper_version
            order by
                parents.published_date desc nulls last, parents.meta_last_updated desc nulls last,
                {{ sort_key('references_resolved.parent_grouper_version') }} desc,
                {{ sort_key('references_resolved.parent_grouper_url') }} asc
        ) as parent_rank
    from references_resolved
    inner join valuesets as parents
        on references_resolved.parent_grouper_url = parents.url
        and references_resolved.parent_grouper_version = parents.version
),

expanded as (
    -- a condition grouper: every landed child
    select
        included.*,
        included.included_grouper_url as parent_grouper_url,
        included.resolved_version as parent_grouper_version,
        references_resolved.child_grouper_url,
        references_resolved.child_grouper_version,
        references_resolved.child_snomed_code as snomed_code,
        case
            when references_resolved.child_grouper_url is null
                then 'no landed reporting-spec grouper in the condition grouper'
            else 'resolved'
        end as resolution_status
    from included
    left join references_resolved
        on included.included_grouper_url = references_resolved.parent_grouper_url
        and included.resolved_version = references_resolved.parent_grouper_version
    where included.included_grouper_type = 'condition-grouper'

    union all

    -- a reporting-spec grouper named directly
    select
        included.*,
        parents_of_children.parent_grouper_url,
        parents_of_children.parent_grouper_version,
        included.included_grouper_url as child_grouper_url,
        included.resolved_version as child_grouper_version,
        children.snomed_code,
        case
            when parents_of_children.parent_grouper_url is null
                then 'no condition grouper references the reporting-spec grouper'
            else 'resolved'
        end as resolution_status
    from included
    inner join valuesets as children
        on included.included_grouper_url = children.url
        and included.resolved_version = children.version
    left join parents_of_children
        on included.included_grouper_url = parents_of_children.child_grouper_url
        and included.resolved_version = parents_of_children.child_grouper_version
        and parents_of_children.parent_rank = 1
    where included.included_grouper_type = 'reporting-specification-grouper'

    union all

    -- anything else: not landed, or a grouper of another kind
    select
        included.*,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_url,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_version,
        cast(null as {{ dbt.type_string() }}) as child_grouper_url,
        cast(null as {{ dbt.type_string() }}) as child_grouper_version,
        cast(null as {{ dbt.type_string() }}) as snomed_code,
        case
            when included.included_grouper_type is null then 'grouper not landed'
            else
                'grouper is neither a condition nor a reporting-spec grouper ('
                || included.included_grouper_type || ')'
        end as resolution_status
    from included
    where included.included_grouper_type is null
        or included.included_grouper_type not in ('condition-grouper', 'reporting-specification-grouper')
),

with_configuration as (
    select
        configurations.configuration_id,
        configurations.configuration_version,
        configurations.jurisdiction_id,
        configurations.configuration_name,
        configurations.display_name_override,
        configurations.is_active as is_active_given,
        configurations.load_id,
        expanded.list_name,
        expanded.item_index,
        expanded.included_grouper_url,
        expanded.included_grouper_version,
        expanded.parent_grouper_url,
        expanded.parent_grouper_version,
        expanded.child_grouper_url,
        expanded.child_grouper_version,
        expanded.snomed_code,
        expanded.resolution_status
    from configurations
    inner join expanded
        on configurations.configuration_id = expanded.configuration_id
        and configurations.configuration_version = expanded.configuration_version
),

-- activations that name a SNOMED code the configuration has no landed child for
unmatched_activations as (
    select
        configurations.configuration_id,
        configurations.configuration_version,
        configurations.jurisdiction_id,
        configurations.configuration_name,
        configurations.display_name_override,
        configurations.is_active as is_active_given,
        configurations.load_id,
        'activations' as list_name,
        0 as item_index,
        cast(null as {{ dbt.type_string() }}) as included_grouper_url,
        cast(null as {{ dbt.type_string() }}) as included_grouper_version,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_url,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_version,
        cast(null as {{ dbt.type_string() }}) as child_grouper_url,
        cast(null as {{ dbt.type_string() }}) as child_grouper_version,
        activations.snomed_code,
        'activated SNOMED code has no landed reporting-spec grouper in the configuration' as resolution_status
    from activations
    inner join configurations
        on activations.configuration_id = configurations.configuration_id
        and activations.configuration_version = configurations.configuration_version
        and activations.jurisdiction_id = configurations.jurisdiction_id
    where not exists (
            select 1
            from with_configuration
            where with_configuration.configuration_id = activations.configuration_id
                and with_configuration.configuration_version = activations.configuration_version
                and with_configuration.snomed_code = activations.snomed_code
        )
),

-- configuration versions that name no grouper at all
without_groupers as (
    select
        configurations.configuration_id,
        configurations.configuration_version,
        configurations.jurisdiction_id,
        configurations.configuration_name,
        configurations.display_name_override,
        configurations.is_active as is_active_given,
        configurations.load_id,
        'none' as list_name,
        0 as item_index,
        cast(null as {{ dbt.type_string() }}) as included_grouper_url,
        cast(null as {{ dbt.type_string() }}) as included_grouper_version,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_url,
        cast(null as {{ dbt.type_string() }}) as parent_grouper_version,
        cast(null as {{ dbt.type_string() }}) as child_grouper_url,
        cast(null as {{ dbt.type_string() }}) as child_grouper_version,
        cast(null as {{ dbt.type_string() }}) as snomed_code,
        'configuration names no grouper' as resolution_status
    from configurations
    where not exists (
            select 1
            from configuration_groupers
            where configuration_groupers.configuration_id = configurations.configuration_id
                and configuration_groupers.configuration_version = configurations.configuration_version
        )
),

all_rows as (
    select * from with_configuration
    union all
    select * from unmatched_activations
    union all
    select * from without_groupers
),

activated as (
    select
        all_rows.*,
        activations.is_active as is_active_by_activation,
        -- an operator's change wins over what was landed before it, not over later landings
        case
            when condition_changes.load_id > all_rows.load_id
                and condition_changes.load_id > coalesce(activations.load_id, all_rows.load_id)
                then case
                        when condition_changes.change_type = 'deactivate' then false
                        when condition_changes.configuration_id = all_rows.configuration_id
                            and condition_changes.configuration_version = all_rows.configuration_version
                            then true
                    end
        end as is_active_by_change
    from all_rows
    left join activations
        on all_rows.jurisdiction_id = activations.jurisdiction_id
        and all_rows.snomed_code = activations.snomed_code
        and all_rows.configuration_id = activations.configuration_id
        and all_rows.configuration_version = activations.configuration_version
    left join condition_changes
        on all_rows.jurisdiction_id = condition_changes.jurisdiction_id
        and all_rows.snomed_code = condition_changes.snomed_code
)

select
    {{ surrogate_key([
        'activated.configuration_id', 'activated.configuration_version', 'activated.list_name',
        'activated.item_index', 'activated.child_grouper_url', 'activated.child_grouper_version',
        'activated.snomed_code'
    ]) }} as configuration_sk,
    activated.configuration_id,
    activated.configuration_version,
    activated.jurisdiction_id,
    activated.configuration_name,
    activated.display_name_override,
    coalesce(
        activated.is_active_by_change, activated.is_active_given,
        activated.is_active_by_activation, false
    ) as is_active,
    activated.list_name as named_in,
    activated.included_grouper_url,
    activated.included_grouper_version,
    activated.parent_grouper_url,
    activated.parent_grouper_version,
    activated.child_grouper_url,
    activated.child_grouper_version,
    activated.snomed_code,
    case
        when jurisdictions.jurisdiction_id is null then 'unknown jurisdiction'
        else activated.resolution_status
    end as resolution_status,
    coalesce(extra_codes.extra_code_count, 0) as extra_code_count,
    activated.load_id
from activated
left join jurisdictions
    on activated.jurisdiction_id = jurisdictions.jurisdiction_id
left join extra_codes
    on activated.configuration_id = extra_codes.configuration_id
    and activated.configuration_version = extra_codes.configuration_version
