{#-
    sort_key(expression): text that sorts by code point on every engine. PostgreSQL sorts by
    the database collation (which may be linguistic), DuckDB by code point; ordered lists and
    hashes over them must come out the same on both.
-#}
{% macro sort_key(expression) -%}
    {{ adapter.dispatch('sort_key', 'warehouse')(expression) }}
{%- endmacro %}

{% macro default__sort_key(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__sort_key(expression) -%}
    ({{ expression }}) collate "C"
{%- endmacro %}
