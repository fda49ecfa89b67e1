{#-
    expect_table_row_count_to_equal_other_table_times_factor(compare_model, factor,
        group_by=None, compare_group_by=None, row_condition=None, compare_row_condition=None)

    The model has as many rows as compare_model times factor (per group when group_by is
    given); expect_table_row_count_to_equal_other_table with a required factor.
    Returns the failing groups with both counts and their difference.
-#}
{% test expect_table_row_count_to_equal_other_table_times_factor(
    model,
    compare_model,
    factor,
    group_by=none,
    compare_group_by=none,
    row_condition=none,
    compare_row_condition=none
) %}
{%- if factor is not number -%}
    {{ exceptions.raise_compiler_error(
        "expect_table_row_count_to_equal_other_table_times_factor: factor must be a number, got '"
        ~ factor ~ "'") }}
{%- endif -%}
{{ warehouse.expectations_compare_with_other_table(
    model,
    'count(*)',
    compare_model,
    compare_expression='count(*) * ' ~ factor,
    group_by=group_by,
    compare_group_by=compare_group_by,
    row_condition=row_condition,
    compare_row_condition=compare_row_condition,
    test_name='expect_table_row_count_to_equal_other_table_times_factor'
) }}
{% endtest %}
