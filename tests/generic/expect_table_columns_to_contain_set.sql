{#-
    expect_table_columns_to_contain_set(column_list, transform="upper")

    The table has every column of column_list (other columns are allowed). Names are
    compared after transform ("upper" or "lower") on both sides, so the check is
    case-insensitive. Returns one row per missing column.
-#}
{% test expect_table_columns_to_contain_set(model, column_list, transform='upper') %}
{%- set test_name = 'expect_table_columns_to_contain_set' -%}
{%- set wanted = warehouse.expectations_as_list(column_list) -%}
{%- if wanted | length == 0 -%}
    {{ exceptions.raise_compiler_error(test_name ~ ": column_list must name at least one column") }}
{%- endif -%}
{%- set present = warehouse.expectations_relation_columns(model, transform, test_name) -%}
{%- set missing = [] -%}
{%- if execute -%}
    {%- for name in wanted -%}
        {%- set name = name | upper if transform == 'upper' else name | lower -%}
        {%- if name not in present and name not in missing -%}
            {%- do missing.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}
{%- if missing -%}
    {%- for name in missing %}
select cast('{{ name | replace("'", "''") }}' as {{ dbt.type_string() }}) as missing_column
        {%- if not loop.last %}
union all
        {%- endif -%}
    {%- endfor %}
{%- else %}
select cast(null as {{ dbt.type_string() }}) as missing_column
where 1 = 0
{%- endif %}
{% endtest %}
