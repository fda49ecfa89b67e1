-- One row per landed file across all domains: when it landed, by which load, how many rows.
-- Each domain that lands files contributes its stg_<domain>__landed_files model.
{%- set domain_files = [
    ref('stg_aca__landed_files'),
    ref('stg_clinical__landed_files'),
    ref('stg_tes__landed_files'),
] %}

with unioned as (
    {{ union_built_relations(domain_files) }}
)

select
    {{ surrogate_key(['domain', 'sha256', 'load_id']) }} as loaded_file_sk,
    domain,
    file_name,
    table_name,
    sha256,
    size_bytes,
    row_count,
    rejected_line_count,
    load_id,
    loaded_at
from unioned
