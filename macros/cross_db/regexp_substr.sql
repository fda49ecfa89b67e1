{#-
    regexp_substr(expression, pattern): the first part of the text matching the POSIX
    pattern, null where nothing matches (or the text is null). Use non-capturing groups
    `(?:...)` only: PostgreSQL returns the first capturing group instead of the match.
-#}
{% macro regexp_substr(expression, pattern) -%}
    {{ adapter.dispatch('regexp_substr', 'warehouse')(expression, pattern) }}
{%- endmacro %}

{% macro default__regexp_substr(expression, pattern) -%}
    substring({{ expression }} from '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regexp_substr(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}'), '')
{%- endmacro %}

{% macro spark__regexp_substr(expression, pattern) -%}
    nullif(regexp_extract({{ expression }}, '{{ pattern }}', 0), '')
{%- endmacro %}
