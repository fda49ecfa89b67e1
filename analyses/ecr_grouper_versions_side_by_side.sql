-- How a condition's grouper changed between versions: reporting-spec groupers and code counts
-- per condition grouper version, for one condition title.
with condition_groupers as (
    select * from {{ ref('tes_condition_groupers') }}
    where display_name = 'COVID-19'
)

select
    canonical_url,
    version,
    published_date,
    reference_count,
    child_grouper_count,
    unresolved_reference_count,
    child_snomed_codes,
    code_count
from condition_groupers
order by canonical_url, published_date, version
