{#-
    expect_column_values_to_match_regex(regex, row_condition=None, is_raw=False, flags="")

    Every value of the column contains a match of the regular expression (anchor it with
    ^...$ to match whole values). Nulls do not fail. flags: see expectations_regex_match
    ("i" for case-insensitive). Returns the failing rows.
-#}
{% test expect_column_values_to_match_regex(
    model,
    column_name,
    regex,
    row_condition=none,
    is_raw=false,
    flags=''
) %}
{%- set expression = warehouse.expectations_regex_match(column_name, regex, is_raw, flags) -%}
{{ warehouse.expectations_failing_rows(model, expression, row_condition) }}
{% endtest %}
