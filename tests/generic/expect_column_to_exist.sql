{#-
    expect_column_to_exist(column_index=None, transform="upper")

    The column exists in the table and, when column_index is given, sits at that position
    (1-based). Names are compared after transform ("upper" or "lower"). Returns one row,
    with the position found (0 when missing), when the check fails.
-#}
{% test expect_column_to_exist(model, column_name, column_index=none, transform='upper') %}
{%- set test_name = 'expect_column_to_exist' -%}
{%- set present = warehouse.expectations_relation_columns(model, transform, test_name) -%}
{%- set name = column_name | upper if transform == 'upper' else column_name | lower -%}
{%- set name = name.strip('"`') -%}
{%- set found_index = (present.index(name) + 1) if name in present else 0 -%}
{%- if column_index is not none -%}
    {%- do warehouse.expectations_check_integer(column_index, 'column_index', test_name) -%}
{%- endif -%}
{%- set passed = found_index > 0 and (column_index is none or column_index == found_index) -%}
with checked as (
    select
        cast('{{ name | replace("'", "''") }}' as {{ dbt.type_string() }}) as column_name,
        {{ found_index }} as found_column_index,
        {{ column_index if column_index is not none else 'cast(null as integer)' }} as expected_column_index
)

select *
from checked
where {{ 'false' if (passed or not execute) else 'true' }}
{% endtest %}
