{#-
    Adjustments to dbt-spark for Spark with Iceberg tables in a Hive metastore (the `spark`
    target). dbt dispatches to these before dbt-spark's own (dbt_project.yml, dispatch).
-#}

{#-
    `show table extended` reports an Iceberg table as `Provider: hive` (the metastore's view of
    it), and dbt-spark decides from that line how to replace tables, merge increments and
    snapshot. The Iceberg marker in the table's properties gives the true provider; the rows
    keep dbt-spark's shape.
-#}
{% macro spark__list_relations_without_caching(relation) %}
    {%- call statement('list_relations_without_caching', fetch_result=True) -%}
        show table extended in {{ relation.schema }} like '*'
    {%- endcall -%}
    {%- set rows = [] -%}
    {%- for row in load_result('list_relations_without_caching').table -%}
        {%- set information = row[3] -%}
        {%- if 'Provider: hive' in information
            and ('table_type=ICEBERG' in information or 'format=iceberg' in information) -%}
            {%- set information = information.replace('Provider: hive', 'Provider: iceberg') -%}
        {%- endif -%}
        {%- do rows.append([row[0], row[1], row[2], information]) -%}
    {%- endfor -%}
    {%- do return(rows) -%}
{% endmacro %}

{#-
    Views: Iceberg 1.10's session catalog does not replace the definition of an existing view
    on `create or replace view` (apache/iceberg#15490), so the view is dropped and created.
-#}
{% macro spark__create_view_as(relation, sql) -%}
    {%- if execute -%}
        {%- do run_query('drop view if exists ' ~ relation) -%}
    {%- endif %}
    create view {{ relation }}
    {{ comment_clause() }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
    {{ sql }}
{%- endmacro %}

{#-
    Descriptions of tables and views are kept (their `comment`), column descriptions are not:
    the Hive metastore holds a column comment in 256 characters (ours are longer) and each
    column comment of an Iceberg table is a commit of its own. They stay in the dbt docs site.
-#}
{% macro spark__persist_docs(relation, model, for_relation, for_columns) -%}
{%- endmacro %}

{#-
    listagg with its order: dbt-spark's ignores the `order by` (it warns), so lists and the
    hashes over them would differ from other engines. The items are sorted by the order
    expression (then by the item) and joined; nulls are left out, as string_agg does.
-#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set order = modules.re.match('(?is)^\\s*order\\s+by\\s+(.*?)(\\s+(asc|desc))?\\s*$', order_by_clause) -%}
        {%- if not order -%}
            {{ exceptions.raise_compiler_error("listagg: cannot read the order clause " ~ order_by_clause) }}
        {%- endif -%}
        {%- set collected = "array_sort(collect_list(struct(" ~ order.group(1) ~ " as sort_key, "
            ~ measure ~ " as item)))" -%}
        {%- if (order.group(3) or '') | lower == 'desc' -%}
            {%- set collected = "reverse(" ~ collected ~ ")" -%}
        {%- endif -%}
        {%- set collected = "filter(transform(" ~ collected ~ ", entry -> entry.item), item -> item is not null)" -%}
    {%- else -%}
        {%- set collected = "collect_list(" ~ measure ~ ")" -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = "slice(" ~ collected ~ ", 1, " ~ limit_num ~ ")" -%}
    {%- endif -%}
    {{ return("array_join(" ~ collected ~ ", " ~ delimiter_text ~ ")") }}
{%- endmacro %}

{#-
    Contracts on Spark: the marts declare their column types in names DuckDB and PostgreSQL
    both read (`text`, `double precision`, `timestamp with time zone`), which Spark's parser
    refuses, and dbt-spark's `session` connection reports no column types to compare against
    (dbt-spark runs its own contract tests on other connection methods only). So on Spark the
    column check is left out here, in one place: a mart is still built with exactly its
    declared columns, in their order (dbt-spark selects them by name from the model's query),
    and the DuckDB build of the same files (`make test-spark`) holds the types.
-#}
{% macro spark__get_assert_columns_equivalent(sql) -%}
{%- endmacro %}
