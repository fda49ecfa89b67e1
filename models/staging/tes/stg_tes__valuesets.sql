-- ValueSets as of their latest landing: one row per url|version, usable rows only.
-- A table, not a view: the marts join it many times, and PostgreSQL plans joins over the
-- ranked base views badly.
{{ config(materialized='table') }}

with valuesets as (
    select * from {{ ref('base_tes__valuesets') }}
    where is_current_version
)

select
    url,
    version,
    valueset_id,
    name,
    title,
    status,
    publisher,
    description,
    published_date,
    meta_last_updated,
    grouper_type,
    snomed_code,
    file_category,
    load_id,
    source_file,
    source_row_number
from valuesets
