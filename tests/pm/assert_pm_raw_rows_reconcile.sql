-- Every landed project-management row ends up in exactly one place: used by staging, listed
-- in the rejects, or set aside as deleted in the source. Returns the tables where the
-- counts disagree.
{%- set tables = [
    'project_types', 'clients', 'users', 'projects', 'services', 'review_cycles',
    'service_reviews', 'issues', 'issue_review_links', 'issue_activity',
] %}

with
{%- for table in tables %}

{{ table }}_counts as (
    select
        '{{ table }}' as source_table,
        (select count(*) from ({{ landed('pm', table) }}) as raw_rows) as raw_row_count,
        (select count(*) from {{ ref('stg_pm__' ~ table) }}) as used_row_count,
        (
            select count(*) from {{ ref('stg_pm__rejects') }}
            where source_table = '{{ table }}'
        ) as rejected_row_count,
        (
            select count(*) from {{ ref('base_pm__' ~ table) }}
            where reject_reason is null and is_deleted_in_source
        ) as deleted_row_count
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
where raw_row_count <> used_row_count + rejected_row_count + deleted_row_count
