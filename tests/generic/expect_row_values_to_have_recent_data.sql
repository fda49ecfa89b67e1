{#-
    expect_row_values_to_have_recent_data(datepart, interval, row_condition=None)

    The latest value of the column (a date or timestamp; values in the future are ignored)
    is no older than `interval` `datepart`s (e.g. datepart: day, interval: 1) before now.
    An empty table, or one where row_condition keeps no row, fails. Returns one row with the
    latest value and the oldest acceptable value when the data is stale.
-#}
{% test expect_row_values_to_have_recent_data(
    model,
    column_name,
    datepart,
    interval,
    row_condition=none
) %}
{%- set test_name = 'expect_row_values_to_have_recent_data' -%}
{%- do warehouse.expectations_check_datepart(datepart, 'datepart', test_name) -%}
{%- do warehouse.expectations_check_integer(interval, 'interval', test_name) -%}
{%- set now = warehouse.expectations_now() -%}
{%- set value = 'cast(' ~ column_name ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
with latest as (
    select max({{ value }}) as latest_value
    from {{ model }}
    where {{ value }} <= {{ now }}
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}
),

checked as (
    select
        latest_value,
        cast({{ dbt.dateadd(datepart, -1 * interval, now) }} as {{ dbt.type_timestamp() }})
            as oldest_accepted_value
    from latest
)

select *
from checked
where latest_value is null
    or latest_value < oldest_accepted_value
{% endtest %}
