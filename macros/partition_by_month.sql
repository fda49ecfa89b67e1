{#-
    partition_by_month(column): post-hook that turns a PostgreSQL fact table into a table
    range-partitioned by month of `column` (one partition per calendar month between the
    project vars calendar_start_date and calendar_end_date, plus a default partition).

    Switched on by the var `partition_claim_lines` (off by default):
        dbt build --vars '{partition_claim_lines: true}'
    The first build creates the table as usual and this hook moves its rows into the
    partitioned table (with the model's indexes); later incremental runs delete and insert
    into the partitioned table directly; a --full-refresh converts again. Other engines
    have their own layouts (DuckDB zone maps, Iceberg partition specs): nothing happens there.
-#}
{% macro partition_by_month(column, enabled_var='partition_claim_lines') -%}
    {{ return(adapter.dispatch('partition_by_month', 'warehouse')(column, enabled_var)) }}
{%- endmacro %}

{% macro default__partition_by_month(column, enabled_var) -%}
    select 1 as not_partitioned_on_this_engine
{%- endmacro %}

{% macro postgres__partition_by_month(column, enabled_var) -%}
    {%- if not var(enabled_var, false) -%}
        select 1 as partitioning_switched_off
    {%- else -%}
    {%- set parent = this.identifier -%}
    {%- set schema = this.schema -%}
    {%- set old = parent ~ '__unpartitioned' -%}
    {%- set start = modules.datetime.date.fromisoformat(var('calendar_start_date')) -%}
    {%- set stop = modules.datetime.date.fromisoformat(var('calendar_end_date')) -%}
    do $partition$
    begin
        if exists (
            select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = '{{ schema }}' and c.relname = '{{ parent }}' and c.relkind = 'r'
        ) then
            execute 'alter table "{{ schema }}"."{{ parent }}" rename to "{{ old }}"';
            execute 'create table "{{ schema }}"."{{ parent }}" (like "{{ schema }}"."{{ old }}" including defaults) partition by range ("{{ column }}")';
            {%- set month = namespace(first=start.replace(day=1)) %}
            {%- for i in range(((stop.year - month.first.year) * 12 + stop.month - month.first.month + 1)) %}
            {%- set y = month.first.year + ((month.first.month - 1 + i) // 12) %}
            {%- set m = (month.first.month - 1 + i) % 12 + 1 %}
            {%- set ny = y + (m // 12) %}
            {%- set nm = m % 12 + 1 %}
            execute 'create table "{{ schema }}"."{{ parent }}_{{ '%04d%02d' % (y, m) }}" partition of "{{ schema }}"."{{ parent }}" for values from (''{{ '%04d-%02d-01' % (y, m) }}'') to (''{{ '%04d-%02d-01' % (ny, nm) }}'')';
            {%- endfor %}
            execute 'create table "{{ schema }}"."{{ parent }}_default" partition of "{{ schema }}"."{{ parent }}" default';
            execute 'insert into "{{ schema }}"."{{ parent }}" select * from "{{ schema }}"."{{ old }}"';
            execute 'drop table "{{ schema }}"."{{ old }}" cascade';
            {%- for index in config.get('indexes', []) or [] %}
            execute 'create index on "{{ schema }}"."{{ parent }}" ({{ index['columns'] | join(', ') }})';
            {%- endfor %}
            {#- statistics of the new table: refresh_statistics ran before this hook -#}
            execute 'analyze "{{ schema }}"."{{ parent }}"';
        end if;
    end
    $partition$
    {%- endif -%}
{%- endmacro %}
