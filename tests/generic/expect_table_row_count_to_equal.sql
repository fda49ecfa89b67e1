{#-
    expect_table_row_count_to_equal(value, group_by=None, row_condition=None)

    The table (after row_condition) has exactly `value` rows; with group_by, every group
    found has exactly `value` rows. Returns the failing groups with their row count
    (actual_value).
-#}
{% test expect_table_row_count_to_equal(model, value, group_by=none, row_condition=none) %}
{%- if value is none -%}
    {{ exceptions.raise_compiler_error("expect_table_row_count_to_equal: value is required") }}
{%- endif -%}
{{ warehouse.expectations_failing_groups(
    model, 'count(*)', 'actual_value = expected_value', group_by, row_condition, expected=value) }}
{% endtest %}
