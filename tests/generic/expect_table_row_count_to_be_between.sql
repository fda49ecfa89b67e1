{#-
    expect_table_row_count_to_be_between(min_value=None, max_value=None, group_by=None,
                                         row_condition=None, strictly=False)

    The number of rows (per group_by group, or in the table after row_condition) lies between
    min_value and max_value. Either bound may be omitted, not both. Without group_by an
    empty table counts 0 and is checked. Returns the failing groups with their row count
    (actual_value).
-#}
{% test expect_table_row_count_to_be_between(
    model,
    min_value=none,
    max_value=none,
    group_by=none,
    row_condition=none,
    strictly=false
) %}
{%- set condition = warehouse.expectations_between_predicate(
    'actual_value', min_value, max_value, strictly, 'expect_table_row_count_to_be_between') -%}
{{ warehouse.expectations_failing_groups(model, 'count(*)', condition, group_by, row_condition) }}
{% endtest %}
