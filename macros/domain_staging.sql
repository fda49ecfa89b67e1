{#-
    The two staging models every registered domain has, written once:

    domain_rejects(domain, tables, rejected_lines_label): the body of `stg_<domain>__rejects`,
    every raw row of the domain that cannot be used, in the shape `ctl.rejects` unions
    (`domain, source_table, load_id, row_key, reject_reason, raw_row`):
      - the rows of each base model whose `reject_reason` is set. `tables` lists raw table
        names (read from `base_<domain>__<table>`), or mappings `{model: ..., table_column:
        ...}` for a base model that gathers several raw tables and names each row's own;
      - with `rejected_lines_label`, the lines a reader could not split into a row
        (`raw_<domain>._rejected_lines`, which exists once a file had one), their reason
        prefixed with the label.

    domain_landed_files(domain, optional): the body of `stg_<domain>__landed_files`, the files
    landed by completed loads with their load time, for a domain whose sources are files. With
    `optional` true (a domain that may never be landed), no rows while `_landed_files` does
    not exist.
-#}
{% macro domain_rejects(domain, tables, rejected_lines_label=none) -%}
    {%- set parts = [] -%}
    {%- for table in tables -%}
        {%- if table is mapping -%}
            {%- do parts.append({'cte': table['model'] ~ '_rejects', 'model': table['model'],
                                 'source_table': table['table_column']}) -%}
        {%- else -%}
            {%- do parts.append({'cte': table ~ '_rejects', 'model': 'base_' ~ domain ~ '__' ~ table,
                                 'source_table': "'" ~ table ~ "'"}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set rejected_lines_source = source(domain, '_rejected_lines') if rejected_lines_label else none -%}
    {%- set rejected_lines = load_relation(rejected_lines_source) if rejected_lines_label and execute else none %}
with
{%- for part in parts %}
{{ part.cte }} as (
    select
        {{ part.source_table }} as source_table,
        load_id,
        row_key,
        reject_reason,
        raw_row
    from {{ ref(part.model) }}
    where reject_reason is not null
),
{% endfor %}
unread_lines as (
    {%- if rejected_lines is not none %}
    {%- set line_label = dbt.concat(["'line '", "cast(line_number as " ~ dbt.type_string() ~ ")"]) %}
    select
        table_name as source_table,
        _dlt_load_id as load_id,
        {{ dbt.concat(["file_name", "':'", "coalesce(" ~ line_label ~ ", reason)"]) }} as row_key,
        {{ dbt.concat(["'" ~ rejected_lines_label ~ ": '", "reason"]) }} as reject_reason,
        line_text as raw_row
    from {{ rejected_lines_source }}
    where _dlt_load_id in (
        select load_id from {{ source(domain, '_dlt_loads') }} where status = 0
    )
    {%- else %}
    -- {{ 'no file has had a line that could not be read yet' if rejected_lines_label else 'a source of rows, not of lines' }}
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
    {%- for part in parts %}
    select * from {{ part.cte }}
    union all
    {%- endfor %}
    select * from unread_lines
)

select
    '{{ domain }}' as domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
{%- endmacro %}

{% macro domain_landed_files(domain, optional=false) -%}
{%- if optional and execute and not var('union_all_relations', false)
    and load_relation(source(domain, '_landed_files')) is none -%}
-- nothing landed into raw_{{ domain }} yet (an optional domain): no files, the same shape
select
    '{{ domain }}' as domain,
    cast(null as {{ dbt.type_string() }}) as file_name,
    cast(null as {{ dbt.type_string() }}) as table_name,
    cast(null as {{ dbt.type_string() }}) as sha256,
    cast(null as {{ dbt.type_bigint() }}) as size_bytes,
    cast(null as {{ dbt.type_bigint() }}) as row_count,
    cast(null as {{ dbt.type_bigint() }}) as rejected_line_count,
    cast(null as {{ dbt.type_string() }}) as load_id,
    cast(null as {{ dbt.type_timestamp() }}) as loaded_at
where 1 = 0
{%- else -%}
with files as (
    select * from {{ source(domain, '_landed_files') }}
),

loads as (
    select * from {{ source(domain, '_dlt_loads') }}
    where status = 0
)

select
    '{{ domain }}' as domain,
    files.file_name,
    files.table_name,
    files.sha256,
    files.size_bytes,
    files.row_count,
    files.rejected_line_count,
    files._dlt_load_id as load_id,
    cast(loads.inserted_at as {{ dbt.type_timestamp() }}) as loaded_at
from files
inner join loads
    on files._dlt_load_id = loads.load_id
{%- endif -%}
{%- endmacro %}
