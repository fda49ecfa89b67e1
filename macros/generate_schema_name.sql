{#-
    Schemas are named exactly as configured (`staging`, `snapshots`, `aca`, `ctl`, ...),
    not prefixed with the target schema, so analysts can rely on the names on every target.
    A mart of a registered domain with no schema configured builds in the domain's
    `mart_schema` (vars.domains), so a new domain needs no folder entry in dbt_project.yml.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {%- set registered = warehouse.registry_mart_schema(node) -%}
        {{ (registered if registered is not none else target.schema) | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
