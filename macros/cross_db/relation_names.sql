{#-
    ref() and source() name a relation without its catalog on DuckDB, so that the SQL stored
    in a view (`from "schema"."name"`) resolves in any copy of the warehouse file: DuckDB names
    the catalog after the file, and a view naming "warehouse" fails in `claims_copy.duckdb`.
    The relation keeps its database (`load_relation` and the adapter still see it); only how it
    renders changes. Other engines render refs as dbt does.
    var `refs_name_the_catalog` (true) renders every ref whole: the docs site compiles with it,
    so the column lineage (dbt-colibri) finds each relation of the compiled SQL in the catalog.
-#}
{% macro ref() -%}
    {{ return(warehouse.relation_name(builtins.ref(*varargs, **kwargs))) }}
{%- endmacro %}

{% macro source() -%}
    {{ return(warehouse.relation_name(builtins.source(*varargs, **kwargs))) }}
{%- endmacro %}

{% macro relation_name(relation) -%}
    {%- if var('refs_name_the_catalog', false) -%}
        {{ return(relation) }}
    {%- endif -%}
    {{ return(adapter.dispatch('relation_name', 'warehouse')(relation)) }}
{%- endmacro %}

{% macro default__relation_name(relation) -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro duckdb__relation_name(relation) -%}
    {{ return(relation.include(database=False) if relation is not none else relation) }}
{%- endmacro %}
