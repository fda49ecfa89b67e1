-- Every clinical raw row that cannot be used, with its reason and the row as it landed,
-- plus the NDJSON lines that were not a usable fragment.
{%- set tables = ['service_requests', 'codes', 'mappings', 'ncit_concepts', 'patients', 'encounters'] %}
{%- set rejected_lines_source = source('clinical', '_rejected_lines') %}
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
    from {{ ref('base_clinical__' ~ table) }}
    where reject_reason is not null
),
{% endfor %}
malformed_lines as (
    {%- if rejected_lines is not none %}
    select
        table_name as source_table,
        _dlt_load_id as load_id,
        {{ dbt.concat(["file_name", "':line '", "coalesce(cast(line_number as " ~ dbt.type_string() ~ "), '?')"]) }} as row_key,
        {{ dbt.concat(["'malformed line: '", "reason"]) }} as reject_reason,
        line_text as raw_row
    from {{ rejected_lines_source }}
    where _dlt_load_id in (
        select load_id from {{ source('clinical', '_dlt_loads') }} where status = 0
    )
{%- else %}
    -- no file has had a malformed line yet
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
    select * from malformed_lines
)

select
    'clinical' as domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
