{#-
    expect_column_value_lengths_to_equal(value, row_condition=None)

    Every value of the column is `value` characters long. Nulls do not fail.
    Returns the failing rows.
-#}
{% test expect_column_value_lengths_to_equal(model, column_name, value, row_condition=none) %}
{%- do warehouse.expectations_check_integer(value, 'value', 'expect_column_value_lengths_to_equal') -%}
{{ warehouse.expectations_failing_rows(model, dbt.length(column_name) ~ ' = ' ~ value, row_condition) }}
{% endtest %}
