{#-
    The incremental strategy for facts keyed on their grain. DuckDB and PostgreSQL replace
    rows with delete+insert; engines without it (Spark) merge on the key.
-#}
{% macro grain_incremental_strategy() -%}
    {{ return(adapter.dispatch('grain_incremental_strategy', 'warehouse')()) }}
{%- endmacro %}

{% macro default__grain_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__grain_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}
