{#-
    expect_compound_columns_to_be_unique(column_list, quote_columns=False,
        ignore_row_if="all_values_are_missing", row_condition=None)

    The combination of the listed columns is unique. ignore_row_if decides which rows with
    nulls are left out: "all_values_are_missing" (default) skips rows where every listed
    column is null, "any_value_is_missing" skips rows where any is null; nulls in the rows
    kept compare equal to each other. Returns one row per duplicated combination with its
    count (n_records).
-#}
{% test expect_compound_columns_to_be_unique(
    model,
    column_list,
    quote_columns=false,
    ignore_row_if='all_values_are_missing',
    row_condition=none
) %}
{%- set test_name = 'expect_compound_columns_to_be_unique' -%}
{%- set columns = warehouse.expectations_columns(column_list, quote_columns, test_name) -%}
{%- set keep = warehouse.expectations_rows_to_check(columns, ignore_row_if, test_name) -%}
with checked as (
    select {{ columns | join(', ') }}
    from {{ model }}
    where {{ keep }}
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}
)

select
    {{ columns | join(',\n    ') }},
    count(*) as n_records
from checked
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
