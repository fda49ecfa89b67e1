{#-
    expect_table_aggregation_to_equal_other_table(expression, compare_model,
        compare_expression=None, group_by=None, compare_group_by=None, row_condition=None,
        compare_row_condition=None, tolerance=0.0, tolerance_percent=None)

    An aggregate SQL expression over the model (e.g. "sum(amount_usd)") equals the same, or
    compare_expression, over compare_model; per group when group_by is given (a group missing
    on one side compares with 0). compare_* arguments default to their model counterparts.
    Fails where the absolute difference exceeds tolerance and, if tolerance_percent is given,
    the difference relative to the model's value also exceeds it (a fraction: 0.01 = 1%).
    Returns the failing groups with both values and the differences.
-#}
{% test expect_table_aggregation_to_equal_other_table(
    model,
    expression,
    compare_model,
    compare_expression=none,
    group_by=none,
    compare_group_by=none,
    row_condition=none,
    compare_row_condition=none,
    tolerance=0.0,
    tolerance_percent=none
) %}
{{ warehouse.expectations_compare_with_other_table(
    model,
    expression,
    compare_model,
    compare_expression=compare_expression,
    group_by=group_by,
    compare_group_by=compare_group_by,
    row_condition=row_condition,
    compare_row_condition=compare_row_condition,
    tolerance=tolerance,
    tolerance_percent=tolerance_percent,
    test_name='expect_table_aggregation_to_equal_other_table'
) }}
{% endtest %}
