-- No orphaned references: every parent-to-child link joins a landed condition grouper version
-- to a landed reporting-spec grouper version (the original database's foreign keys).
{{ config(tags=['ecr_sanity']) }}

with refs as (
    select * from {{ ref('tes_condition_grouper_references') }}
),

parents as (
    select * from {{ ref('tes_condition_groupers') }}
),

children as (
    select * from {{ ref('tes_reporting_spec_groupers') }}
)

select
    refs.parent_grouper_url,
    refs.parent_grouper_version,
    refs.child_grouper_url,
    refs.child_grouper_version,
    case when parents.canonical_url is null then 'parent missing' else 'child missing' end as problem
from refs
left join parents
    on refs.parent_grouper_url = parents.canonical_url
    and refs.parent_grouper_version = parents.version
left join children
    on refs.child_grouper_url = children.canonical_url
    and refs.child_grouper_version = children.version
where parents.canonical_url is null
    or children.canonical_url is null
