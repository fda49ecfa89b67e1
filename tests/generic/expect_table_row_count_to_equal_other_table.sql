{#-
    expect_table_row_count_to_equal_other_table(compare_model, group_by=None,
        compare_group_by=None, factor=1, row_condition=None, compare_row_condition=None)

    The model has as many rows as compare_model times factor, per group when group_by is
    given (compare_group_by names the matching columns of compare_model and defaults to
    group_by; a group missing on one side counts 0). compare_row_condition defaults to
    row_condition. Returns the failing groups with both counts and their difference.
-#}
{% test expect_table_row_count_to_equal_other_table(
    model,
    compare_model,
    group_by=none,
    compare_group_by=none,
    factor=1,
    row_condition=none,
    compare_row_condition=none
) %}
{{ warehouse.expectations_compare_with_other_table(
    model,
    'count(*)',
    compare_model,
    compare_expression='count(*) * ' ~ factor,
    group_by=group_by,
    compare_group_by=compare_group_by,
    row_condition=row_condition,
    compare_row_condition=compare_row_condition,
    test_name='expect_table_row_count_to_equal_other_table'
) }}
{% endtest %}
