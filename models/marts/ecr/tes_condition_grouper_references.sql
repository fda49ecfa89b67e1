-- Parent (condition grouper version) to child (reporting-spec grouper version): the references
-- that resolve. The rest are in tes_unresolved_references, with the reason.
with refs as (
    select * from {{ ref('stg_tes__valueset_references') }}
    where parent_grouper_type = 'condition-grouper'
),

children as (
    select * from {{ ref('stg_tes__valuesets') }}
    where grouper_type = 'reporting-specification-grouper'
)

select
    {{ surrogate_key(
        ['refs.parent_url', 'refs.parent_version', 'refs.child_url', 'refs.child_version']
    ) }} as reference_sk,
    refs.parent_url as parent_grouper_url,
    refs.parent_version as parent_grouper_version,
    refs.child_url as child_grouper_url,
    refs.child_version as child_grouper_version,
    children.snomed_code as child_snomed_code,
    refs.reference
from refs
inner join children
    on refs.child_url = children.url
    and refs.child_version = children.version
