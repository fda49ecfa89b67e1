{#-
    expect_column_distinct_values_to_contain_set(value_set, quote_values=True,
                                                 row_condition=None)

    Every value of value_set occurs in the column (other values are allowed). Returns one
    row per value of the set that is missing, as text.
-#}
{% test expect_column_distinct_values_to_contain_set(
    model,
    column_name,
    value_set,
    quote_values=true,
    row_condition=none
) %}
{%- do warehouse.expectations_value_list(
    value_set, quote_values, 'expect_column_distinct_values_to_contain_set') -%}
{%- set literals = warehouse.expectations_literals(value_set, quote_values) | unique | list -%}
with distinct_values as (
    select distinct {{ column_name }} as value_field
    from {{ model }}
    {%- if row_condition %}
    where ({{ row_condition }})
    {%- endif %}
)
{%- for literal in literals %}

select cast({{ literal }} as {{ dbt.type_string() }}) as missing_value
where not exists (select 1 from distinct_values where value_field = {{ literal }})
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}
{% endtest %}
