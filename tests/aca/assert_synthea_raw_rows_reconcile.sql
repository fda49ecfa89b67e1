-- Every landed Synthea row ends up in exactly one place: used by staging (current or an
-- older version) or listed in ctl.rejects. Returns the tables where the counts disagree (no
-- rows at all before a Synthea export has been landed).
{%- set tables = ['payers', 'patients', 'payer_transitions', 'claims'] %}

with
{%- for table in tables %}

{{ table }}_counts as (
    select
        '{{ table }}' as source_table,
        (select count(*) from ({{ landed_or_empty('synthea', table, []) }}) as raw_rows) as raw_row_count,
        (
            select count(*) from {{ ref('base_synthea__' ~ table) }}
            where reject_reason is null
        ) as used_row_count,
        (
            select count(*) from {{ ref('rejects') }}
            where domain = 'synthea'
                and source_table = '{{ table }}'
                and reject_reason not like 'unsplittable line:%'
        ) as rejected_row_count
),
{%- endfor %}

all_counts as (
    {%- for table in tables %}
    select * from {{ table }}_counts
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select *
from all_counts
where raw_row_count <> used_row_count + rejected_row_count
