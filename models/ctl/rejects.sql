-- Every raw row, in every domain, that could not be used: one table for operators.
-- Each registered domain (vars.domains) contributes its stg_<domain>__rejects model.
{%- set domain_rejects = domain_refs('stg_{domain}__rejects') %}

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
