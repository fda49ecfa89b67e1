-- NCIt concepts the pipeline sent, newest version of each: one row per bare NCIt code.
with concepts as (
    select * from {{ ref('base_clinical__ncit_concepts') }}
    where is_current_version
)

select
    ncit_id,
    ncit_id_raw,
    preferred_name,
    semantic_group,
    load_id,
    row_key
from concepts
