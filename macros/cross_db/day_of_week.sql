{#- day_of_week(date): 0 for Sunday to 6 for Saturday, as PostgreSQL's and DuckDB's `dow`. -#}
{% macro day_of_week(expression) -%}
    {{ adapter.dispatch('day_of_week', 'warehouse')(expression) }}
{%- endmacro %}

{% macro default__day_of_week(expression) -%}
    cast(extract(dow from {{ expression }}) as integer)
{%- endmacro %}

{#- Spark's dayofweek (and its extract dow) counts 1 for Sunday to 7 for Saturday. -#}
{% macro spark__day_of_week(expression) -%}
    (dayofweek({{ expression }}) - 1)
{%- endmacro %}
