-- Where the source's clock stands: the latest change the warehouse has seen in any table.
-- "Today" for the project-management marts is the day of that change, so the marts
-- describe the source as of its own last change, not as of the wall clock. A one-row
-- table, so that the marts that cross-join it do not recompute it per row.
{{ config(materialized='table') }}

with changes as (
{%- for table in ['project_types', 'clients', 'users', 'projects', 'services', 'review_cycles',
                  'service_reviews', 'issues', 'issue_review_links', 'issue_activity'] %}
    select max(updated_at) as updated_at from {{ ref('stg_pm__' ~ table) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

latest as (
    select max(updated_at) as as_of_at
    from changes
)

select
    as_of_at,
    cast(as_of_at as date) as as_of_date,
    cast({{ dbt.date_trunc('month', 'as_of_at') }} as date) as as_of_month_start_date
from latest
where as_of_at is not null
