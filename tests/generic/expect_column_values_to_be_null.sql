{#-
    expect_column_values_to_be_null(row_condition=None)

    The column is null in every row (kept by row_condition). Returns the rows with a value.
-#}
{% test expect_column_values_to_be_null(model, column_name, row_condition=none) %}
{{ warehouse.expectations_failing_rows(model, column_name ~ ' is null', row_condition) }}
{% endtest %}
