-- One row per landed file across all domains: when it landed, by which load, how many rows.
-- Each registered domain that lands files (`landed_files: true` in vars.domains) contributes
-- its stg_<domain>__landed_files model.
{%- set domain_files = domain_refs('stg_{domain}__landed_files', landed_files_only=true) %}

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
