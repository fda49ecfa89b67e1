{#-
    expect_column_mean_to_be_between(min_value=None, max_value=None, group_by=None,
                                     row_condition=None, strictly=False)

    The average of the column (nulls left out; per group_by group, or over the table) lies
    between min_value and max_value. Either bound may be omitted, not both. A null average
    does not fail. Returns the failing groups with their average (actual_value).
-#}
{% test expect_column_mean_to_be_between(
    model,
    column_name,
    min_value=none,
    max_value=none,
    group_by=none,
    row_condition=none,
    strictly=false
) %}
{%- set condition = warehouse.expectations_between_predicate(
    'actual_value', min_value, max_value, strictly, 'expect_column_mean_to_be_between') -%}
{{ warehouse.expectations_failing_groups(
    model, 'avg(' ~ column_name ~ ')', condition, group_by, row_condition) }}
{% endtest %}
