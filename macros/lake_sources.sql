{#-
    register_lake_sources(): on-run-start. On Spark the raw tables are the Parquet lake itself:
    every lake file `<lake>/<protocol>/<source>/<YYYY-MM-DD>/<source>_<table>_<utc stamp>.parquet`
    belongs to table `raw_<source>.<table>`, registered here (again at every run, so new
    columns show) as a view over those files. Each view adds `_dlt_load_id`, derived from the
    file's stamp exactly as the loader derives the load id it records in the
    `<source>__dlt_loads_<stamp>.parquet` file it writes last: `raw_<source>._dlt_loads` then
    lists the completed loads, and staging (macro `landed`) reads the same rows it reads on
    engines where dlt loads the raw tables. On DuckDB and PostgreSQL dlt lands raw tables
    and this does nothing.
-#}
{% macro register_lake_sources() -%}
    {{ return(adapter.dispatch('register_lake_sources', 'warehouse')()) }}
{%- endmacro %}

{% macro default__register_lake_sources() -%}
    select 1 as raw_tables_landed_by_dlt
{%- endmacro %}

{#- The lake folder: WAREHOUSE_LAKE_DIR, else <WAREHOUSE_DATA_DIR>/lake (as ingest/config.py). -#}
{% macro lake_dir() -%}
    {%- set lake = env_var('WAREHOUSE_LAKE_DIR', '') or (env_var('WAREHOUSE_DATA_DIR', 'data') ~ '/lake') -%}
    {%- if modules.re.search("[\\\\'`*?\\[\\]{}]", lake) -%}
        {{ exceptions.raise_compiler_error("lake folder " ~ lake ~ " has a character Spark would read as a pattern or quote; use another WAREHOUSE_LAKE_DIR") }}
    {%- endif -%}
    {{ return(lake.rstrip('/')) }}
{%- endmacro %}

{#- The load id of a lake file, from the UTC stamp in its path: `<epoch seconds>.<microseconds>`. -#}
{% macro lake_load_id(file_path) -%}
    {%- set file_time -%}
        unix_micros(to_timestamp_ltz(
            concat(regexp_extract({{ file_path }}, '_([0-9]{8}T[0-9]{12})Z(_[0-9]+)?[.]parquet$', 1), '+0000'),
            "yyyyMMdd'T'HHmmssSSSSSSZ"
        ))
    {%- endset -%}
    format_string('%d.%06d', floor({{ file_time }} / 1000000), {{ file_time }} % 1000000)
{%- endmacro %}

{% macro lake_file_pattern() -%}
/([^/]+)/[0-9]{4}-[0-9]{2}-[0-9]{2}/([A-Za-z0-9_]+)_([0-9]{8}T[0-9]{12})Z(_[0-9]+)?[.]parquet$
{%- endmacro %}

{% macro spark__register_lake_sources() -%}
    {%- if execute -%}
    {%- set lake = warehouse.lake_dir() -%}
    {%- do run_query(
        "create or replace temporary view warehouse_lake_files using binaryFile "
        ~ "options (path '" ~ lake ~ "', recursiveFileLookup 'true', pathGlobFilter '*.parquet')"
    ) -%}
    {%- set pattern = warehouse.lake_file_pattern() -%}
    {%- set found = run_query(
        "select distinct regexp_extract(path, '" ~ pattern ~ "', 1) as source_name, "
        ~ "regexp_extract(path, '" ~ pattern ~ "', 2) as stem "
        ~ "from warehouse_lake_files where path rlike '" ~ pattern ~ "' order by 1, 2"
    ) -%}
    {%- set schemas = [] -%}
    {%- for row in found.rows -%}
        {%- set source_name = row[0] -%}
        {%- set stem = row[1] -%}
        {%- set table = stem[source_name | length + 1:] -%}
        {%- if stem.startswith(source_name ~ '_')
            and modules.re.match('^[A-Za-z_][A-Za-z0-9_]{0,55}$', source_name)
            and modules.re.match('^[A-Za-z_][A-Za-z0-9_]{0,62}$', table) -%}
            {%- set schema = 'raw_' ~ source_name -%}
            {%- if schema not in schemas -%}
                {%- do run_query('create schema if not exists ' ~ schema) -%}
                {%- do schemas.append(schema) -%}
            {%- endif -%}
            {%- set files = lake ~ '/*/' ~ source_name ~ '/*/' ~ stem ~ '_[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T*.parquet' -%}
            {%- set view_sql -%}
                create view {{ schema }}.{{ table }} as
                select
                    lake_rows.*,
                    {{ warehouse.lake_load_id('lake_rows._metadata.file_name') }} as _dlt_load_id
                from parquet.`{{ files }}` as lake_rows
            {%- endset -%}
            {#- drop and create: an Iceberg view is not replaced in place -#}
            {%- do run_query('drop view if exists ' ~ schema ~ '.' ~ table) -%}
            {%- do run_query(view_sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do warehouse.spark_import_ingest_ctl_rows(lake) -%}
    {%- endif -%}
    select 1 as lake_sources_registered
{%- endmacro %}

{#-
    The loader's control rows (`<lake>/ctl/<table>/*.parquet`, see ingest/spark_landing.py)
    copied into the Iceberg control tables, each run once (by run_id).
-#}
{% macro spark_import_ingest_ctl_rows(lake) -%}
    {%- set columns = warehouse.ctl_table_columns() -%}
    {%- for table in ['etl_audit_log', 'etl_run'] -%}
        {%- set present = run_query(
            "select count(*) from warehouse_lake_files where path rlike '/ctl/" ~ table ~ "/[^/]+[.]parquet$'"
        ).rows[0][0] -%}
        {%- if present > 0 -%}
            {%- set names = columns[table] | map(attribute=0) | list -%}
            {%- set import_sql -%}
                insert into ctl.{{ table }} ({{ names | join(', ') }})
                select
                    {%- for name, type in columns[table] %}
                    cast(lake_rows.{{ name }} as {{ warehouse.spark_column_type(type) }}){{ ',' if not loop.last }}
                    {%- endfor %}
                from parquet.`{{ lake }}/ctl/{{ table }}/*.parquet` as lake_rows
                where not exists (
                    select 1 from ctl.{{ table }} as known
                    where known.run_id = lake_rows.run_id
                        {%- if table == 'etl_run' %} and known.run_kind = lake_rows.run_kind{% endif %}
                )
            {%- endset -%}
            {%- do run_query(import_sql) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
