-- Every ACA raw row that cannot be used, with its reason and the row as it landed.
{%- set tables = ['members', 'plans', 'providers', 'enrollments', 'claim_lines', 'rating_areas'] %}
{%- set rejected_lines_source = source('aca', '_rejected_lines') %}
{%- set rejected_lines = load_relation(rejected_lines_source) if execute else none %}

with
{%- for table in tables %}
{{ table }}_rejects as (
    select
        '{{ table }}' as source_table,
        load_id,
        row_key,
        reject_reason,
        raw_row
    from {{ ref('base_aca__' ~ table) }}
    where reject_reason is not null
),
{% endfor %}
unsplittable_lines as (
    {%- if rejected_lines is not none %}
    select
        table_name as source_table,
        _dlt_load_id as load_id,
        {{ dbt.concat(["file_name", "':line '", "coalesce(cast(line_number as " ~ dbt.type_string() ~ "), '?')"]) }} as row_key,
        {{ dbt.concat(["'unsplittable line: '", "reason"]) }} as reject_reason,
        line_text as raw_row
    from {{ rejected_lines_source }}
    where _dlt_load_id in (
        select load_id from {{ source('aca', '_dlt_loads') }} where status = 0
    )
{%- else %}
    -- no file has had an unsplittable line yet
    select
        cast(null as {{ dbt.type_string() }}) as source_table,
        cast(null as {{ dbt.type_string() }}) as load_id,
        cast(null as {{ dbt.type_string() }}) as row_key,
        cast(null as {{ dbt.type_string() }}) as reject_reason,
        cast(null as {{ dbt.type_string() }}) as raw_row
    where 1 = 0
    {%- endif %}
),

unioned as (
    {%- for table in tables %}
    select * from {{ table }}_rejects
    union all
    {%- endfor %}
    select * from unsplittable_lines
)

select
    'aca' as domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
