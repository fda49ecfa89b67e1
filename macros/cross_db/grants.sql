{#-
    Analyst access (PostgreSQL): every mart relation is readable by the `analyst` role,
    except columns marked as direct identifiers of people (column meta `pii: true`: names,
    birth dates, street addresses, member ids as issued). A relation without such columns
    gets a table grant; one with them gets a column grant on the other columns only.
    Runs as a post-hook on every mart model (dbt_project.yml), so rebuilt tables keep it.
    Raw, staging, snapshots and ctl are never granted to analysts. Other engines have no
    grants; there it does nothing.
-#}
{% macro grant_analyst_access() -%}
    {%- do warehouse.safe_identifier(var('analyst_role', 'analyst'), 'var analyst_role') -%}
    {{ return(adapter.dispatch('grant_analyst_access', 'warehouse')()) }}
{%- endmacro %}

{% macro default__grant_analyst_access() -%}
    select 1 as no_grants_on_this_engine
{%- endmacro %}

{% macro pii_columns(node) -%}
    {%- set found = [] -%}
    {%- for name, column in node.columns.items() -%}
        {%- set meta = column.get('meta', {}) or {} -%}
        {%- set config_meta = (column.get('config', {}) or {}).get('meta', {}) or {} -%}
        {%- if meta.get('pii') or config_meta.get('pii') -%}
            {%- do found.append(name | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}

{% macro postgres__grant_analyst_access() -%}
    {%- set role = var('analyst_role', 'analyst') -%}
    {%- set pii = warehouse.pii_columns(model) -%}
    {%- if execute and pii | length > 0 -%}
        {%- set columns = adapter.get_columns_in_relation(this) -%}
        {%- set safe = [] -%}
        {%- for column in columns if column.name | lower not in pii -%}
            {%- do safe.append(adapter.quote(column.name)) -%}
        {%- endfor -%}
    {%- endif %}
    do $grant$
    begin
        if exists (select 1 from pg_roles where rolname = '{{ role }}') then
            {%- if pii | length == 0 %}
            execute 'grant select on {{ this }} to {{ role }}';
            {%- else %}
            execute 'revoke select on {{ this }} from {{ role }}';
            execute 'grant select ({{ safe | join(", ") | replace("'", "''") }}) on {{ this }} to {{ role }}';
            {%- endif %}
        end if;
    end
    $grant$
{%- endmacro %}

{#-
    grant_analyst_schema_usage(): on-run-end, once per run (parallel per-model schema grants
    collide in the catalog): usage on every registered domain's mart schema that exists.
-#}
{% macro grant_analyst_schema_usage() -%}
    {%- do warehouse.safe_identifier(var('analyst_role', 'analyst'), 'var analyst_role') -%}
    {%- do warehouse.mart_schemas() -%}
    {{ return(adapter.dispatch('grant_analyst_schema_usage', 'warehouse')()) }}
{%- endmacro %}

{% macro default__grant_analyst_schema_usage() -%}
    select 1 as no_grants_on_this_engine
{%- endmacro %}

{% macro postgres__grant_analyst_schema_usage() -%}
    {%- set role = var('analyst_role', 'analyst') -%}
    do $grant$
    declare
        mart_schema text;
    begin
        if exists (select 1 from pg_roles where rolname = '{{ role }}') then
            for mart_schema in
                select schema_name from information_schema.schemata
                where schema_name in ({% for s in warehouse.mart_schemas() %}'{{ s }}'{{ ", " if not loop.last }}{% endfor %})
            loop
                execute format('grant usage on schema %I to %I', mart_schema, '{{ role }}');
            end loop;
        end if;
    end
    $grant$
{%- endmacro %}

{#- DuckDB has no grants; the adapter would warn on every model, so say nothing instead. -#}
{% macro duckdb__apply_grants(relation, grant_config, should_revoke=True) -%}
{%- endmacro %}

{#-
    Indexes for star-schema joins on PostgreSQL (foreign keys and date columns of facts);
    DuckDB's zone maps already serve these scans, so it gets none.
    Use: config(indexes=fact_indexes(['member_sk', 'service_date'])).
-#}
{% macro fact_indexes(columns) -%}
    {{ return(adapter.dispatch('fact_indexes', 'warehouse')(columns)) }}
{%- endmacro %}

{% macro default__fact_indexes(columns) -%}
    {{ return([]) }}
{%- endmacro %}

{% macro postgres__fact_indexes(columns) -%}
    {%- set indexes = [] -%}
    {%- for column in columns -%}
        {%- do indexes.append({'columns': [column]}) -%}
    {%- endfor -%}
    {{ return(indexes) }}
{%- endmacro %}

{#-
    refresh_statistics(): post-hook on every model, snapshot and seed (dbt_project.yml).
    PostgreSQL plans the next model from a table's statistics, and a table dbt has just
    filled has none until autovacuum comes by: the planner then takes 19,000 members for one
    row and repeats a join once per member (dim_member: 24 s instead of a fraction of one).
    `analyze` samples the table (about 30,000 rows, whatever its size). Views have nothing
    to analyze.
-#}
{% macro refresh_statistics() -%}
    {{ return(adapter.dispatch('refresh_statistics', 'warehouse')()) }}
{%- endmacro %}

{% macro default__refresh_statistics() -%}
    select 1 as no_statistics_to_refresh
{%- endmacro %}

{% macro postgres__refresh_statistics() -%}
    {%- if model.resource_type in ('snapshot', 'seed')
        or model.config.materialized in ('table', 'incremental') -%}
    analyze {{ this }}
    {%- else -%}
    select 1 as no_statistics_for_a_view
    {%- endif -%}
{%- endmacro %}
