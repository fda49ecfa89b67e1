{#-
    expect_column_values_to_be_unique(row_condition=None)

    No value of the column appears twice (nulls are not compared). Returns one row per
    duplicated value with its count (n_records).
-#}
{% test expect_column_values_to_be_unique(model, column_name, row_condition=none) %}
with checked as (
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
    {%- if row_condition %}
        and ({{ row_condition }})
    {%- endif %}
)

select
    {{ column_name }},
    count(*) as n_records
from checked
group by {{ column_name }}
having count(*) > 1
{% endtest %}
