-- NCIt mappings of the current code elements: one row per code element.
with mappings as (
    select * from {{ ref('base_clinical__mappings') }}
    where is_current_version
)

select
    code_element_id,
    ncit_id,
    ncit_id_raw,
    cui,
    score,
    strategy,
    state,
    reason,
    auto_map_threshold,
    review_threshold,
    source_versions,
    load_id,
    row_key
from mappings
