-- The configuration in force per SNOMED condition code and jurisdiction: among the active,
-- resolved configuration rows for the key, the most recently landed (then the highest
-- configuration version). No active configuration, no key.
{{ config(materialized='view') }}

with configurations as (
    select * from {{ ref('configurations') }}
    where is_active
        and resolution_status = 'resolved'
),

children as (
    select * from {{ ref('tes_reporting_spec_groupers') }}
),

ranked as (
    select
        configurations.*,
        row_number() over (
            partition by configurations.snomed_code, configurations.jurisdiction_id
            order by
                configurations.load_id desc, configurations.configuration_version desc,
                {{ sort_key('configurations.configuration_id') }} desc,
                {{ sort_key('configurations.parent_grouper_version') }} desc,
                {{ sort_key('configurations.child_grouper_version') }} desc
        ) as precedence
    from configurations
)

select
    ranked.snomed_code,
    ranked.jurisdiction_id,
    ranked.parent_grouper_url as condition_grouper_url,
    ranked.parent_grouper_version as condition_grouper_version,
    ranked.child_grouper_url as reporting_spec_grouper_url,
    ranked.child_grouper_version as reporting_spec_grouper_version,
    ranked.configuration_id,
    ranked.configuration_version,
    coalesce(ranked.display_name_override, children.display_name) as display_name
from ranked
left join children
    on ranked.child_grouper_url = children.canonical_url
    and ranked.child_grouper_version = children.version
where ranked.precedence = 1
