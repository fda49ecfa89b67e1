{#-
    expect_column_distinct_values_to_be_in_set(value_set, quote_values=True,
                                               row_condition=None)

    Every distinct value of the column is one of value_set (null is a value not in the set).
    Returns one row per distinct value outside the set.
-#}
{% test expect_column_distinct_values_to_be_in_set(
    model,
    column_name,
    value_set,
    quote_values=true,
    row_condition=none
) %}
{%- set values = warehouse.expectations_value_list(
    value_set, quote_values, 'expect_column_distinct_values_to_be_in_set') -%}
with distinct_values as (
    select distinct {{ column_name }} as value_field
    from {{ model }}
    {%- if row_condition %}
    where ({{ row_condition }})
    {%- endif %}
)

select value_field
from distinct_values
where value_field is null
    or not (value_field in {{ values }})
{% endtest %}
