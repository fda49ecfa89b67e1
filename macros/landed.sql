{#-
    landed(source_name, table_name): the rows of a raw table that belong to completed dlt
    loads. A load that died half-way never reaches `_dlt_loads`, so its rows are ignored
    here and landed again by the next run: nothing lost, nothing doubled.
-#}
{% macro landed(source_name, table_name) -%}
    select landed_rows.*
    from {{ source(source_name, table_name) }} as landed_rows
    where landed_rows._dlt_load_id in (
        select completed_loads.load_id
        from {{ source(source_name, '_dlt_loads') }} as completed_loads
        where completed_loads.status = 0
    )
{%- endmacro %}

{#-
    landed_since_last_build(source_name, table_name, key_column): in an incremental model,
    the landed rows of loads newer than the newest `load_id` already built, together with
    every earlier landed row of the same keys (the rows whose version ranks a new row can
    change); outside an incremental run, every landed row. Rows are read as
    `landed_rows.*`. The model must keep `load_id`, `source_file`, `source_row_number` and
    the key trimmed (macro clean_text) under the raw column's name: the earlier rows are found
    through it, so the history is probed on a typed column rather than trimmed again.
-#}
{% macro landed_since_last_build(source_name, table_name, key_column) -%}
    {{ landed(source_name, table_name) }}
    {%- if is_incremental() %}
    {%- set built_until -%}
        (select coalesce(max(built_rows.load_id), '') from {{ this }} as built_rows)
    {%- endset %}
        and landed_rows._dlt_load_id > {{ built_until }}
    union all
    select landed_rows.*
    from {{ source(source_name, table_name) }} as landed_rows
    inner join {{ this }} as built
        on landed_rows._dlt_load_id = built.load_id
        and landed_rows._source_file = built.source_file
        and landed_rows._source_row_number = built.source_row_number
    where built.{{ key_column }} in (
        select {{ clean_text('new_rows.' ~ key_column) }}
        from {{ source(source_name, table_name) }} as new_rows
        where new_rows._dlt_load_id > {{ built_until }}
    )
    {%- endif %}
{%- endmacro %}
