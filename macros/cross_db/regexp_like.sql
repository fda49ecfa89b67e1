{#- regexp_like(expression, pattern): true where the text matches the POSIX pattern (null stays null). -#}
{% macro regexp_like(expression, pattern) -%}
    {{ adapter.dispatch('regexp_like', 'warehouse')(expression, pattern) }}
{%- endmacro %}

{% macro default__regexp_like(expression, pattern) -%}
    ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_like(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}', 's')
{%- endmacro %}

{#- Spark: Java regular expressions; (?s) lets `.` match line breaks as DuckDB's 's' flag does. -#}
{% macro spark__regexp_like(expression, pattern) -%}
    ({{ expression }} rlike '(?s){{ pattern }}')
{%- endmacro %}
