{#-
    expect_column_pair_values_to_be_equal(column_A, column_B, row_condition=None)

    In every row column_A = column_B. Rows where either is null do not fail.
    Returns the failing rows.
-#}
{% test expect_column_pair_values_to_be_equal(model, column_A, column_B, row_condition=none) %}
{{ warehouse.expectations_failing_rows(model, column_A ~ ' = ' ~ column_B, row_condition) }}
{% endtest %}
