{#-
    Query shapes shared by the expect_* generic tests. Every one returns the failing rows
    (the dbt convention: a test fails when its query returns rows), with the values a reader
    needs to see why, so `dbt test --store-failures` keeps something useful.

    A row or group fails where `not (expression = true)`: a null expression does not fail.
-#}

{#- Rows of the model (after row_condition) where the expression is not true. -#}
{% macro expectations_failing_rows(model, expression, row_condition=none) %}
select *
from {{ model }}
where not (({{ expression }}) = true)
{%- if row_condition %}
    and ({{ row_condition }})
{%- endif %}
{% endmacro %}


{#-
    One row per group (or a single row without group_by) holding `aggregate as actual_value`
    (and `expected as expected_value` when given), kept where `condition` (written against
    actual_value and expected_value) is not true.
-#}
{% macro expectations_failing_groups(
    model, aggregate, condition, group_by=none, row_condition=none, expected=none
) %}
{%- set group_columns = warehouse.expectations_as_list(group_by) -%}
with grouped as (
    select
        {%- for column in group_columns %}
        {{ column }},
        {%- endfor %}
        {{ aggregate }} as actual_value
        {%- if expected is not none %},
        {{ expected }} as expected_value
        {%- endif %}
    from {{ model }}
    {%- if row_condition %}
    where ({{ row_condition }})
    {%- endif %}
    {%- if group_columns %}
    group by {{ group_columns | join(', ') }}
    {%- endif %}
)

select *
from grouped
where not (({{ condition }}) = true)
{% endmacro %}


{#-
    Compares an aggregate of the model with an aggregate of another relation, per group when
    group_by is given (groups found on either side only compare with 0). compare_* arguments
    default to their counterpart on the model. Fails where the absolute difference exceeds
    tolerance and, when tolerance_percent is given, the difference relative to the model's
    value also exceeds tolerance_percent (a fraction: 0.05 = 5%; a zero or missing model value
    counts as an infinite relative difference).
-#}
{% macro expectations_compare_with_other_table(
    model,
    expression,
    compare_model,
    compare_expression=none,
    group_by=none,
    compare_group_by=none,
    row_condition=none,
    compare_row_condition=none,
    tolerance=0.0,
    tolerance_percent=none,
    test_name=''
) %}
{%- set compare_expression = compare_expression or expression -%}
{%- set tolerance = tolerance if tolerance is not none else 0 -%}
{%- set compare_row_condition = compare_row_condition or row_condition -%}
{%- set group_columns = warehouse.expectations_as_list(group_by) -%}
{%- set compare_group_columns = warehouse.expectations_as_list(compare_group_by) or group_columns -%}
{%- if group_columns | length != compare_group_columns | length -%}
    {{ exceptions.raise_compiler_error(
        test_name ~ ": group_by and compare_group_by must list the same number of columns") }}
{%- endif -%}
{%- set keys = [] -%}
{%- for column in group_columns -%}
    {%- if modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', column)
        and column | lower not in ['expression', 'compare_expression'] -%}
        {%- do keys.append(column) -%}
    {%- else -%}
        {%- do keys.append('group_' ~ loop.index) -%}
    {%- endif -%}
{%- endfor -%}
with model_side as (
    select
        {%- for column in group_columns %}
        {{ column }} as {{ keys[loop.index0] }},
        {%- endfor %}
        {{ expression }} as expression
    from {{ model }}
    {%- if row_condition %}
    where ({{ row_condition }})
    {%- endif %}
    {%- if group_columns %}
    group by {{ group_columns | join(', ') }}
    {%- endif %}
),

compare_side as (
    select
        {%- for column in compare_group_columns %}
        {{ column }} as {{ keys[loop.index0] }},
        {%- endfor %}
        {{ compare_expression }} as compare_expression
    from {{ compare_model }}
    {%- if compare_row_condition %}
    where ({{ compare_row_condition }})
    {%- endif %}
    {%- if compare_group_columns %}
    group by {{ compare_group_columns | join(', ') }}
    {%- endif %}
),

{%- if group_columns %}

group_keys as (
    select {{ keys | join(', ') }} from model_side
    union
    select {{ keys | join(', ') }} from compare_side
),

joined as (
    select
        {%- for key in keys %}
        group_keys.{{ key }},
        {%- endfor %}
        model_side.expression,
        compare_side.compare_expression
    from group_keys
    left join model_side
        on {% for key in keys -%}
        model_side.{{ key }} is not distinct from group_keys.{{ key }}
        {%- if not loop.last %} and {% endif %}
        {%- endfor %}
    left join compare_side
        on {% for key in keys -%}
        compare_side.{{ key }} is not distinct from group_keys.{{ key }}
        {%- if not loop.last %} and {% endif %}
        {%- endfor %}
),
{%- else %}

joined as (
    select
        model_side.expression,
        compare_side.compare_expression
    from model_side
    cross join compare_side
),
{%- endif %}

compared as (
    select
        *,
        abs(coalesce(expression, 0) - coalesce(compare_expression, 0)) as expression_difference,
        abs(coalesce(expression, 0) - coalesce(compare_expression, 0))
            / nullif(abs(coalesce(expression, 0)) * 1.0, 0) as expression_difference_percent
    from joined
)

select *
from compared
where expression_difference > {{ tolerance }}
{%- if tolerance_percent is not none %}
    and (expression_difference_percent is null or expression_difference_percent > {{ tolerance_percent }})
{%- endif %}
{% endmacro %}


{#- Column names of a relation, upper- or lower-cased, read from the warehouse at run time. -#}
{% macro expectations_relation_columns(model, transform='upper', test_name='') %}
    {%- if transform not in ['upper', 'lower'] -%}
        {{ exceptions.raise_compiler_error(
            test_name ~ ": transform must be 'upper' or 'lower', got '" ~ transform ~ "'") }}
    {%- endif -%}
    {%- set names = [] -%}
    {%- if execute -%}
        {%- for column in adapter.get_columns_in_relation(model) -%}
            {%- do names.append(column.name | upper if transform == 'upper' else column.name | lower) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(names) }}
{% endmacro %}


{#- The current time as a timestamp without time zone, in the session's time zone. -#}
{% macro expectations_now() %}
    {{- return('cast(' ~ dbt.current_timestamp() ~ ' as ' ~ dbt.type_timestamp() ~ ')') -}}
{% endmacro %}
