-- References that do not lead from a condition grouper to a landed reporting-spec grouper,
-- with the reason: reported here, never dropped silently and never a failed build.
with refs as (
    select * from {{ ref('stg_tes__valueset_references') }}
),

valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
),

classified as (
    select
        refs.parent_url,
        refs.parent_version,
        refs.parent_grouper_type,
        refs.child_url,
        refs.child_version,
        refs.reference,
        targets.grouper_type as target_grouper_type,
        case
            when refs.parent_grouper_type <> 'condition-grouper'
                then
                    'reference held by a value set that is not a condition grouper ('
                    || refs.parent_grouper_type || ')'
            when targets.url is null then 'target not landed'
            when targets.grouper_type <> 'reporting-specification-grouper'
                then 'target is not a reporting-spec grouper (' || targets.grouper_type || ')'
        end as reason
    from refs
    left join valuesets as targets
        on refs.child_url = targets.url
        and refs.child_version = targets.version
)

select
    {{ surrogate_key(['parent_url', 'parent_version', 'child_url', 'child_version']) }} as reference_sk,
    parent_url as parent_grouper_url,
    parent_version as parent_grouper_version,
    parent_grouper_type,
    child_url as target_url,
    child_version as target_version,
    target_grouper_type,
    reference,
    reason
from classified
where reason is not null
