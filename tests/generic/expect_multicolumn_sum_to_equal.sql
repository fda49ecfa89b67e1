{#-
    expect_multicolumn_sum_to_equal(column_list, sum_total, group_by=None, row_condition=None)

    sum(column_1) + sum(column_2) + ... over the table (or per group_by group) equals
    sum_total: a number, or a column/expression name whose sum is taken. A null total does
    not fail. Returns the failing groups with the summed columns (actual_value).
-#}
{% test expect_multicolumn_sum_to_equal(
    model,
    column_list,
    sum_total,
    group_by=none,
    row_condition=none
) %}
{%- set columns = warehouse.expectations_columns(
    column_list, false, 'expect_multicolumn_sum_to_equal') -%}
{%- set sums = [] -%}
{%- for column in columns -%}
    {%- do sums.append('sum(' ~ column ~ ')') -%}
{%- endfor -%}
{%- if sum_total is none -%}
    {{ exceptions.raise_compiler_error("expect_multicolumn_sum_to_equal: sum_total is required") }}
{%- endif -%}
{%- set total = sum_total if sum_total is number else 'sum(' ~ sum_total ~ ')' -%}
{{ warehouse.expectations_failing_groups(
    model,
    sums | join(' + '),
    'actual_value = expected_value',
    group_by,
    row_condition,
    expected=total
) }}
{% endtest %}
