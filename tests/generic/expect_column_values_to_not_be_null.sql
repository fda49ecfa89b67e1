{#-
    expect_column_values_to_not_be_null(row_condition=None)

    The column holds no null (among the rows kept by row_condition). Returns the null rows.
-#}
{% test expect_column_values_to_not_be_null(model, column_name, row_condition=none) %}
{{ warehouse.expectations_failing_rows(model, column_name ~ ' is not null', row_condition) }}
{% endtest %}
