-- Counts reconcile from the NDJSON fragments to staging, per list: items the fragments
-- announced = raw rows landed = base rows; rejected base rows = rows in the rejects model;
-- current base rows = staging rows. Returns the lists whose counts disagree.
{{ config(tags=['clinical']) }}
{%- set lists = ['service_requests', 'codes', 'mappings', 'ncit_concepts', 'patients', 'encounters'] %}

with fragments as (
    {{ landed('clinical', 'fragments') }}
),

rejects as (
    select * from {{ ref('stg_clinical__rejects') }}
),

counts as (
    {%- for name in lists %}
    select
        '{{ name }}' as list_name,
        (select coalesce(sum({{ name }}_count), 0) from fragments) as announced_items,
        (select count(*) from ({{ landed('clinical', name) }}) as landed_rows) as raw_rows,
        (select count(*) from {{ ref('base_clinical__' ~ name) }}) as base_rows,
        (
            select count(*) from {{ ref('base_clinical__' ~ name) }}
            where reject_reason is not null)
            as rejected_base_rows,
        (
            select count(*) from rejects
            where source_table = '{{ name }}'
        ) as reject_rows,
        (
            select count(*) from {{ ref('base_clinical__' ~ name) }}
            where is_current_version)
            as current_base_rows,
        (select count(*) from {{ ref('stg_clinical__' ~ name) }}) as staging_rows
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select *
from counts
where announced_items <> raw_rows
    or raw_rows <> base_rows
    or rejected_base_rows <> reject_rows
    or current_base_rows <> staging_rows
