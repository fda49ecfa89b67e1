{#-
    expect_column_values_to_be_in_set(value_set, quote_values=True, row_condition=None)

    Every value of the column is one of value_set. Nulls fail (they are not in the set)
    unless row_condition filters them out. quote_values=False inserts the values as SQL
    (numbers, expressions) instead of string literals. Returns the failing rows.
-#}
{% test expect_column_values_to_be_in_set(
    model,
    column_name,
    value_set,
    quote_values=true,
    row_condition=none
) %}
{%- set values = warehouse.expectations_value_list(
    value_set, quote_values, 'expect_column_values_to_be_in_set') -%}
{%- set expression = column_name ~ ' is not null and ' ~ column_name ~ ' in ' ~ values -%}
{{ warehouse.expectations_failing_rows(model, expression, row_condition) }}
{% endtest %}
