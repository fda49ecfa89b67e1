-- The usable `url|version` references of every current ValueSet (parent to child).
-- A table, not a view: the marts join it many times, and PostgreSQL plans joins over the
-- ranked base views badly.
{{ config(materialized='table') }}

with valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
),

refs as (
    select * from {{ ref('base_tes__valueset_references') }}
    where reject_reason is null
)

select
    valuesets.url as parent_url,
    valuesets.version as parent_version,
    valuesets.grouper_type as parent_grouper_type,
    refs.child_url,
    refs.child_version,
    refs.reference,
    refs.include_index,
    refs.reference_index,
    refs.load_id
from refs
inner join valuesets
    on refs.load_id = valuesets.load_id
    and refs.source_file = valuesets.source_file
    and refs.valueset_row_number = valuesets.source_row_number
