{#-
    Schemas are named exactly as configured (`staging`, `snapshots`, `aca`, `ctl`, ...),
    not prefixed with the target schema, so analysts can rely on the names on every target.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
