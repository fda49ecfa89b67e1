{#-
    Subtotals with GROUPING SETS: which dimensions a row of an aggregate rolls up.

    grouping_flag(column): 1 where the row rolls `column` up (a subtotal over all its values,
    the column reads null), 0 where the row is grouped by it. A rolled-up null and a null
    group key look alike; the flag tells them apart.

    grouping_id(flags): the flags as one bit mask, the first flag the most significant bit
    (the order of SQL's GROUPING(a, b, ...)): 0 for the finest grouping set, 2^n - 1 for the
    grand total.

    The engines differ in the multi-column form: PostgreSQL and DuckDB take several columns in
    GROUPING(a, b, ...), Spark's grouping() takes exactly one and spells the mask
    grouping_id(a, b, ...), which PostgreSQL does not have. The one-column grouping() is the
    same on all three (its result type is not: integer, bigint, tinyint), so the mask is built
    here from one-column flags cast to integer, the same SQL on every engine. That also works
    when two aggregates over different grouping sets (one without a dimension) must share the
    same mask, where GROUPING() could not name the missing column.
-#}
{% macro grouping_flag(column) -%}
    cast(grouping({{ column }}) as integer)
{%- endmacro %}

{% macro grouping_id(flags) -%}
    cast(
        {%- for flag in flags %}
        {{ flag }} * {{ 2 ** (flags | length - loop.index) }}{% if not loop.last %} +{% endif %}
        {%- endfor %}
        as integer
    )
{%- endmacro %}
