{#-
    type_double(): the 8-byte floating-point type. dbt's type_float() is 4 bytes on DuckDB
    (FLOAT is REAL there) and 8 bytes on PostgreSQL; this one is 8 bytes everywhere, so a
    ratio has the same precision and the same contract type on every engine.
-#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'warehouse')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}
