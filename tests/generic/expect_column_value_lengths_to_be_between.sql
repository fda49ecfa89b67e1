{#-
    expect_column_value_lengths_to_be_between(min_value=None, max_value=None,
                                              row_condition=None, strictly=False)

    The length (in characters) of every value lies between min_value and max_value. Either
    bound may be omitted, not both. Nulls do not fail. Returns the failing rows.
-#}
{% test expect_column_value_lengths_to_be_between(
    model,
    column_name,
    min_value=none,
    max_value=none,
    row_condition=none,
    strictly=false
) %}
{%- set expression = warehouse.expectations_between_predicate(
    dbt.length(column_name), min_value, max_value, strictly,
    'expect_column_value_lengths_to_be_between') -%}
{{ warehouse.expectations_failing_rows(model, expression, row_condition) }}
{% endtest %}
