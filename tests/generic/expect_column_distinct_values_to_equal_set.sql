{#-
    expect_column_distinct_values_to_equal_set(value_set, quote_values=True,
                                               row_condition=None)

    The distinct values of the column are exactly value_set: no value outside the set (null
    counts as outside) and no value of the set missing from the column. Returns one row per
    difference, as text, with the reason ('not in value_set' or 'missing from column').
-#}
{% test expect_column_distinct_values_to_equal_set(
    model,
    column_name,
    value_set,
    quote_values=true,
    row_condition=none
) %}
{%- set values = warehouse.expectations_value_list(
    value_set, quote_values, 'expect_column_distinct_values_to_equal_set') -%}
{%- set literals = warehouse.expectations_literals(value_set, quote_values) | unique | list -%}
with distinct_values as (
    select distinct {{ column_name }} as value_field
    from {{ model }}
    {%- if row_condition %}
    where ({{ row_condition }})
    {%- endif %}
),

unexpected_values as (
    select
        cast(value_field as {{ dbt.type_string() }}) as value_field,
        'not in value_set' as reason
    from distinct_values
    where value_field is null
        or not (value_field in {{ values }})
),

missing_values as (
    {%- for literal in literals %}
    select
        cast({{ literal }} as {{ dbt.type_string() }}) as value_field,
        'missing from column' as reason
    where not exists (select 1 from distinct_values where value_field = {{ literal }})
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from unexpected_values
union all
select * from missing_values
{% endtest %}
