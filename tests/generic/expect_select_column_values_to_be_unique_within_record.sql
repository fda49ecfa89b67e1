{#-
    expect_select_column_values_to_be_unique_within_record(column_list, quote_columns=False,
        ignore_row_if="all_values_are_missing", row_condition=None)

    Within each row, the listed columns hold pairwise different values. A missing value
    counts as not unique, so a row with a null among the listed columns fails unless
    ignore_row_if skips it: "all_values_are_missing" (default) skips rows where every listed
    column is null, "any_value_is_missing" skips rows where any is null.
    Returns the failing rows.
-#}
{% test expect_select_column_values_to_be_unique_within_record(
    model,
    column_list,
    quote_columns=false,
    ignore_row_if='all_values_are_missing',
    row_condition=none
) %}
{%- set test_name = 'expect_select_column_values_to_be_unique_within_record' -%}
{%- set columns = warehouse.expectations_columns(column_list, quote_columns, test_name) -%}
{%- set keep = warehouse.expectations_rows_to_check(columns, ignore_row_if, test_name) -%}
{%- set checks = [] -%}
{%- for column in columns -%}
    {%- do checks.append(column ~ ' is not null') -%}
{%- endfor -%}
{%- for i in range(columns | length) -%}
    {%- for j in range(i + 1, columns | length) -%}
        {%- do checks.append(columns[i] ~ ' <> ' ~ columns[j]) -%}
    {%- endfor -%}
{%- endfor -%}
select *
from {{ model }}
where {{ keep }}
    and not ({{ checks | join(' and ') }})
{%- if row_condition %}
    and ({{ row_condition }})
{%- endif %}
{% endtest %}
