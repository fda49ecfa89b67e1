{#-
    expect_column_pair_values_A_to_be_greater_than_B(column_A, column_B, or_equal=False,
                                                     row_condition=None)

    In every row column_A > column_B (>= with or_equal). Rows where either is null do not
    fail. Returns the failing rows.
-#}
{% test expect_column_pair_values_A_to_be_greater_than_B(
    model,
    column_A,
    column_B,
    or_equal=false,
    row_condition=none
) %}
{%- set operator = '>=' if or_equal else '>' -%}
{{ warehouse.expectations_failing_rows(
    model, column_A ~ ' ' ~ operator ~ ' ' ~ column_B, row_condition) }}
{% endtest %}
