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
