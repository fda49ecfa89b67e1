{#-
    expect_column_values_to_not_be_in_set(value_set, quote_values=True, row_condition=None)

    No value of the column is one of value_set. Nulls do not fail. quote_values=False inserts
    the values as SQL instead of string literals. Returns the failing rows.
-#}
{% test expect_column_values_to_not_be_in_set(
    model,
    column_name,
    value_set,
    quote_values=true,
    row_condition=none
) %}
{%- set values = warehouse.expectations_value_list(
    value_set, quote_values, 'expect_column_values_to_not_be_in_set') -%}
{{ warehouse.expectations_failing_rows(model, 'not (' ~ column_name ~ ' in ' ~ values ~ ')', row_condition) }}
{% endtest %}
