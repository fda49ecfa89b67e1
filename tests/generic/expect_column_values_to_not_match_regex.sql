{#-
    expect_column_values_to_not_match_regex(regex, row_condition=None, is_raw=False, flags="")

    No value of the column contains a match of the regular expression. Nulls do not fail.
    Returns the failing rows.
-#}
{% test expect_column_values_to_not_match_regex(
    model,
    column_name,
    regex,
    row_condition=none,
    is_raw=false,
    flags=''
) %}
{%- set expression = 'not ' ~ warehouse.expectations_regex_match(column_name, regex, is_raw, flags) -%}
{{ warehouse.expectations_failing_rows(model, expression, row_condition) }}
{% endtest %}
