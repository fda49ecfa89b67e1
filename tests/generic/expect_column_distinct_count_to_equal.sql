{#-
    expect_column_distinct_count_to_equal(value, group_by=None, row_condition=None)

    The number of distinct non-null values of the column (per group_by group, or over the
    table) equals `value`. Returns the failing groups with their distinct count
    (actual_value) and `value` (expected_value).
-#}
{% test expect_column_distinct_count_to_equal(
    model,
    column_name,
    value,
    group_by=none,
    row_condition=none
) %}
{%- if value is none -%}
    {{ exceptions.raise_compiler_error("expect_column_distinct_count_to_equal: value is required") }}
{%- endif -%}
{{ warehouse.expectations_failing_groups(
    model,
    'count(distinct ' ~ column_name ~ ')',
    'actual_value = expected_value',
    group_by,
    row_condition,
    expected=value
) }}
{% endtest %}
