{#-
    evaluate_once(): the last line of a CTE whose columns are expensive (trimming, typing,
    checking) and read several times further down (a defect check, window partitions, the
    final select).

    PostgreSQL folds CTEs and subqueries into the query that reads them and then evaluates
    every reference to a column as its whole expression: a typed amount read by four checks
    is trimmed, shape-checked and cast four times per row. `offset 0` keeps the CTE a
    subquery of its own, so each column is computed once per row (in the parallel workers,
    unlike `as materialized`). DuckDB and Spark compute a column once by themselves: nothing.
-#}
{% macro evaluate_once() -%}
    {{ return(adapter.dispatch('evaluate_once', 'warehouse')()) }}
{%- endmacro %}

{% macro default__evaluate_once() -%}
{%- endmacro %}

{% macro postgres__evaluate_once() -%}
    offset 0
{%- endmacro %}
