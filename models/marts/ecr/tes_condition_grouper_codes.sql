-- The parent groupers' aggregated child codes: one row per condition grouper version and
-- distinct code of any of its reporting-spec groupers.
with refs as (
    select * from {{ ref('tes_condition_grouper_references') }}
),

child_codes as (
    select * from {{ ref('tes_reporting_spec_grouper_codes') }}
),

joined as (
    select
        refs.parent_grouper_url,
        refs.parent_grouper_version,
        refs.child_grouper_url,
        child_codes.code_system,
        child_codes.system_uri,
        child_codes.code,
        child_codes.display
    from refs
    inner join child_codes
        on refs.child_grouper_url = child_codes.canonical_url
        and refs.child_grouper_version = child_codes.version
)

select
    {{ surrogate_key(
        ['parent_grouper_url', 'parent_grouper_version', 'system_uri', 'code']
    ) }} as condition_grouper_code_sk,
    parent_grouper_url as canonical_url,
    parent_grouper_version as version,
    code_system,
    system_uri,
    code,
    min(display) as display,
    count(distinct child_grouper_url) as child_grouper_count
from joined
group by parent_grouper_url, parent_grouper_version, code_system, system_uri, code
