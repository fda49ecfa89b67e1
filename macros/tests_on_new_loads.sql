{#-
    Tests on the rows of new loads only, for a nightly run whose cost should follow the new
    data rather than the history.

    `WAREHOUSE_TESTS_AFTER_LOAD=<load id> dbt build` (or the dbt var `tests_after_load`, which
    costs a full re-parse whenever it changes) restricts every row-level test (the names in
    `row_level_tests()`) of a model whose meta names a `new_rows_column` to the rows whose
    value in that column is greater than the given dlt load id. Tests of whole tables (row
    counts, sums, one table against another), singular tests and models without the meta
    still read every row. Unset, nothing changes: a plain `dbt build` tests everything.

    This overrides dbt's `get_where_subquery`, the macro that applies a test's `where` config;
    a test's own `where` still applies, combined with `and`.
-#}
{% macro default__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where %}{% do conditions.append('(' ~ where ~ ')') %}{% endif -%}
    {%- set after = var('tests_after_load', none) -%}
    {%- if after is none and execute -%}
        {#- read at run time only, so that changing it keeps dbt's partial parse -#}
        {%- set after = env_var('WAREHOUSE_TESTS_AFTER_LOAD', '') or none -%}
    {%- endif -%}
    {%- if after is not none and execute -%}
        {%- set column = warehouse.new_rows_column(relation) -%}
        {%- set test_name = (model.get('test_metadata') or {}).get('name') if model is mapping else none -%}
        {%- if column and test_name in warehouse.row_level_tests() -%}
            {% do conditions.append(column ~ " > '" ~ warehouse.checked_load_id(after) ~ "'") %}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ conditions | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {% do return(filtered) %}
    {%- else -%}
        {% do return(relation) %}
    {%- endif -%}
{%- endmacro %}

{#- The generic tests that judge each row on its own (or rows against each other within the
    rows tested): restricting them to new rows tests exactly those rows. -#}
{% macro row_level_tests() -%}
    {{ return([
        'unique', 'not_null', 'accepted_values', 'relationships',
        'expect_column_values_to_not_be_null', 'expect_column_values_to_be_null',
        'expect_column_values_to_be_unique', 'expect_compound_columns_to_be_unique',
        'expect_column_values_to_be_in_set', 'expect_column_values_to_not_be_in_set',
        'expect_column_values_to_be_between', 'expect_column_values_to_match_regex',
        'expect_column_values_to_not_match_regex', 'expect_column_value_lengths_to_be_between',
        'expect_column_value_lengths_to_equal', 'expect_column_pair_values_A_to_be_greater_than_B',
        'expect_column_pair_values_to_be_equal', 'expect_multicolumn_sum_to_equal',
        'expect_select_column_values_to_be_unique_within_record',
    ]) }}
{%- endmacro %}

{#- The `new_rows_column` meta of the model behind `relation`, or none. -#}
{% macro new_rows_column(relation) -%}
    {%- for node in graph.nodes.values() -%}
        {%- if node.resource_type == 'model'
            and (node.alias or node.name) | lower == (relation.identifier or '') | lower
            and node.schema | lower == (relation.schema or '') | lower -%}
            {{ return((node.config.meta or {}).get('new_rows_column')) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- A dlt load id (`<epoch seconds>.<fraction>`), refused with a clear error otherwise. -#}
{% macro checked_load_id(value) -%}
    {%- set text = value | string -%}
    {%- if not modules.re.fullmatch('[0-9]+(\\.[0-9]+)?', text) -%}
        {{ exceptions.raise_compiler_error(
            "tests_after_load (WAREHOUSE_TESTS_AFTER_LOAD): expected a dlt load id such as "
            ~ "1767225600.123456, got '"
            ~ text ~ "'") }}
    {%- endif -%}
    {{ return(text) }}
{%- endmacro %}
