{#-
    landed_or_empty(source_name, table_name, columns): the rows of a raw table that belong to
    completed dlt loads (as macro `landed`), each with its load's time (`_dlt_loaded_at`), or,
    while the raw table or `_dlt_loads` does not exist yet (the source has never been landed),
    an empty relation of the same shape: `columns` as text, `_dlt_load_id`, `_source_file`,
    `_source_row_number` and `_dlt_loaded_at`. For a source that may never be landed in a
    warehouse (Synthea): its staging builds to zero rows instead of failing on a missing table,
    on every engine (on Spark a raw table exists once the lake holds its files).
    With the var `union_all_relations` true (the SQL linter sets it), the tables count as landed.
-#}
{% macro landed_or_empty(source_name, table_name, columns) -%}
    {%- set raw_table = source(source_name, table_name) -%}
    {%- set loads = source(source_name, '_dlt_loads') -%}
    {%- set is_landed = true -%}
    {%- if execute and not var('union_all_relations', false) -%}
        {%- set is_landed = load_relation(raw_table) is not none and load_relation(loads) is not none -%}
    {%- endif -%}
    {%- if is_landed %}
    select
        landed_rows.*,
        cast(completed_loads.inserted_at as {{ dbt.type_timestamp() }}) as _dlt_loaded_at
    from {{ raw_table }} as landed_rows
    inner join {{ loads }} as completed_loads
        on landed_rows._dlt_load_id = completed_loads.load_id
    where completed_loads.status = 0
    {%- else %}
    -- {{ source_name }}.{{ table_name }} has never been landed: no rows, the landed shape
    select
        {%- for column in columns %}
        cast(null as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as _dlt_load_id,
        cast(null as {{ dbt.type_string() }}) as _source_file,
        cast(null as {{ dbt.type_bigint() }}) as _source_row_number,
        cast(null as {{ dbt.type_timestamp() }}) as _dlt_loaded_at
    where 1 = 0
    {%- endif %}
{%- endmacro %}
