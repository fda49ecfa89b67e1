-- Every raw row, in every domain, that could not be used: one table for operators.
-- Each domain contributes its stg_<domain>__rejects model (add yours to the list).
{%- set domain_rejects = [
    ref('stg_aca__rejects'),
    ref('stg_clinical__rejects'),
    ref('stg_pm__rejects'),
    ref('stg_tes__rejects'),
] %}

with unioned as (
    {{ union_built_relations(domain_rejects) }}
)

select
    {{ surrogate_key(['domain', 'source_table', 'load_id', 'row_key']) }} as reject_sk,
    domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
