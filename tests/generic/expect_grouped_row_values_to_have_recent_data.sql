{#-
    expect_grouped_row_values_to_have_recent_data(group_by, timestamp_column, datepart,
                                                  interval, row_condition=None)

    Every group (the combinations of the group_by columns found in the table) has a
    timestamp_column value no older than `interval` `datepart`s before now (future values
    are ignored). Returns the stale groups with their latest value; when no row is kept at
    all, one row with a null group.
-#}
{% test expect_grouped_row_values_to_have_recent_data(
    model,
    group_by,
    timestamp_column,
    datepart,
    interval,
    row_condition=none
) %}
{%- set test_name = 'expect_grouped_row_values_to_have_recent_data' -%}
{%- set group_columns = warehouse.expectations_as_list(group_by) -%}
{%- if group_columns | length == 0 -%}
    {{ exceptions.raise_compiler_error(test_name ~ ": group_by must name at least one column") }}
{%- endif -%}
{%- do warehouse.expectations_check_datepart(datepart, 'datepart', test_name) -%}
{%- do warehouse.expectations_check_integer(interval, 'interval', test_name) -%}
{%- set now = warehouse.expectations_now() -%}
{%- set value = 'cast(' ~ timestamp_column ~ ' as ' ~ dbt.type_timestamp() ~ ')' -%}
with latest_per_group as (
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        max({{ value }}) as latest_value
    from {{ model }}
    where {{ value }} <= {{ now }}
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}
    group by {{ group_columns | join(', ') }}
),

checked as (
    select
        *,
        cast({{ dbt.dateadd(datepart, -1 * interval, now) }} as {{ dbt.type_timestamp() }})
            as oldest_accepted_value
    from latest_per_group
),

no_rows as (
    select checked.*
    from (select 1 as anchor) as anchor
    left join checked on 1 = 0
    where not exists (select 1 from latest_per_group)
)

select * from checked
where latest_value < oldest_accepted_value
union all
select * from no_rows
{% endtest %}
