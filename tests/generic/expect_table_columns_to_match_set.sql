{#-
    expect_table_columns_to_match_set(column_list, transform="upper")

    The table has exactly the columns of column_list, in any order. Names are compared after
    transform ("upper" or "lower"). Returns one row per difference: the column name and
    whether it is 'missing from table' or 'not in column_list'.
-#}
{% test expect_table_columns_to_match_set(model, column_list, transform='upper') %}
{%- set test_name = 'expect_table_columns_to_match_set' -%}
{%- set wanted_names = warehouse.expectations_as_list(column_list) -%}
{%- if wanted_names | length == 0 -%}
    {{ exceptions.raise_compiler_error(test_name ~ ": column_list must name at least one column") }}
{%- endif -%}
{%- set present = warehouse.expectations_relation_columns(model, transform, test_name) -%}
{%- set wanted = [] -%}
{%- for name in wanted_names -%}
    {%- do wanted.append(name | upper if transform == 'upper' else name | lower) -%}
{%- endfor -%}
{%- set differences = [] -%}
{%- if execute -%}
    {%- for name in wanted | unique -%}
        {%- if name not in present -%}
            {%- do differences.append((name, 'missing from table')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for name in present -%}
        {%- if name not in wanted -%}
            {%- do differences.append((name, 'not in column_list')) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if differences -%}
    {%- for name, reason in differences %}
select
    cast('{{ name | replace("'", "''") }}' as {{ dbt.type_string() }}) as column_name,
    cast('{{ reason }}' as {{ dbt.type_string() }}) as reason
        {%- if not loop.last %}
union all
        {%- endif -%}
    {%- endfor %}
{%- else %}
select
    cast(null as {{ dbt.type_string() }}) as column_name,
    cast(null as {{ dbt.type_string() }}) as reason
where 1 = 0
{%- endif %}
{% endtest %}
