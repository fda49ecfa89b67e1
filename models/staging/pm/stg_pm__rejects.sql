-- Every project-management raw row that cannot be used, with its reason and the row as it
-- landed. (Rows the source has deleted are not rejects: they are counted apart, see
-- base_pm__* `is_deleted_in_source`.)
{%- set tables = [
    'project_types', 'clients', 'users', 'projects', 'services', 'review_cycles',
    'service_reviews', 'issues', 'issue_review_links', 'issue_activity',
] %}

with
{%- for table in tables %}
{{ table }}_rejects as (
    select
        '{{ table }}' as source_table,
        load_id,
        row_key,
        reject_reason,
        raw_row
    from {{ ref('base_pm__' ~ table) }}
    where reject_reason is not null
),
{% endfor %}
unioned as (
    {%- for table in tables %}
    select * from {{ table }}_rejects
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    'pm' as domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
