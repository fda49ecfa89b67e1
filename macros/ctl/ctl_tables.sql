{#-
    ctl_create_tables(): schema `ctl` and its control tables, created if missing
    (on-run-start). The columns must match `ingest/audit.py` (a test compares them): Python
    writes `etl_audit_log`, `watermark` and the ingest rows of `etl_run`; the on-run-end hook
    (`ctl_record_run`) writes the dbt rows of `etl_run` and `data_quality_result`.
-#}
{% macro ctl_table_columns() -%}
    {{ return({
        'etl_audit_log': [
            ('run_id', 'varchar not null'),
            ('pipeline_name', 'varchar not null'),
            ('source_name', 'varchar not null'),
            ('protocol', 'varchar not null'),
            ('target_table', 'varchar not null'),
            ('status', 'varchar not null'),
            ('rows_loaded', 'bigint'),
            ('parquet_files', 'integer'),
            ('lake_paths', 'varchar'),
            ('error_message', 'varchar'),
            ('started_at', 'timestamp with time zone not null'),
            ('finished_at', 'timestamp with time zone'),
            ('duration_seconds', 'double precision'),
        ],
        'etl_run': [
            ('run_id', 'varchar not null'),
            ('run_kind', 'varchar not null'),
            ('command', 'varchar not null'),
            ('target_name', 'varchar'),
            ('status', 'varchar not null'),
            ('started_at', 'timestamp with time zone not null'),
            ('finished_at', 'timestamp with time zone'),
            ('duration_seconds', 'double precision'),
            ('message', 'varchar'),
        ],
        'data_quality_result': [
            ('run_id', 'varchar not null'),
            ('test_name', 'varchar not null'),
            ('test_unique_id', 'varchar not null'),
            ('model', 'varchar'),
            ('column_name', 'varchar'),
            ('severity', 'varchar'),
            ('status', 'varchar not null'),
            ('failing_rows', 'bigint'),
            ('execution_seconds', 'double precision'),
            ('message', 'varchar'),
            ('checked_at', 'timestamp with time zone not null'),
        ],
        'watermark': [
            ('source_name', 'varchar not null'),
            ('table_name', 'varchar not null'),
            ('cursor_column', 'varchar not null'),
            ('last_value', 'varchar'),
            ('rows_read', 'bigint'),
            ('total_rows_read', 'bigint'),
            ('run_id', 'varchar'),
            ('updated_at', 'timestamp with time zone not null'),
        ],
    }) }}
{%- endmacro %}

{% macro ctl_create_tables() -%}
    {{ return(adapter.dispatch('ctl_create_tables', 'warehouse')()) }}
{%- endmacro %}

{% macro default__ctl_create_tables() -%}
    create schema if not exists ctl;
    {%- for table, columns in ctl_table_columns().items() %}
    create table if not exists ctl.{{ table }} (
        {%- for name, type in columns %}
        {{ name }} {{ type }}{{ ',' if not loop.last }}
        {%- endfor %}
    );
    {%- endfor %}
{%- endmacro %}

{#-
    Spark: the control tables are Iceberg tables, created one statement at a time. The loader
    has no Spark session: it leaves its rows as Parquet files in `<lake>/ctl/<table>/`, which
    `register_lake_sources` copies in at the start of each run.
-#}
{% macro spark__ctl_create_tables() -%}
    {%- if execute -%}
    {%- do run_query('create schema if not exists ctl') -%}
    {%- for table, columns in ctl_table_columns().items() -%}
        {%- set ddl -%}
            create table if not exists ctl.{{ table }} (
                {%- for name, type in columns %}
                {{ name }} {{ warehouse.spark_column_type(type) }}{{ ',' if not loop.last }}
                {%- endfor %}
            )
            using iceberg
        {%- endset -%}
        {%- do run_query(ddl) -%}
    {%- endfor -%}
    {%- endif -%}
    select 1 as ctl_tables_created
{%- endmacro %}

{#- A column type of the DDL above in Spark's words (nullability is not enforced there). -#}
{% macro spark_column_type(type) -%}
    {%- set kind = type | lower | replace(' not null', '') | trim -%}
    {%- set names = {
        'varchar': 'string',
        'integer': 'int',
        'double precision': 'double',
        'timestamp with time zone': 'timestamp_ntz',
    } -%}
    {{ return(names.get(kind, kind)) }}
{%- endmacro %}

{#- The timestamp type of the control tables: with time zone where the engine has one. -#}
{% macro ctl_timestamp_type() -%}
    {{ return(adapter.dispatch('ctl_timestamp_type', 'warehouse')()) }}
{%- endmacro %}

{% macro default__ctl_timestamp_type() -%}
    {{ return('timestamp with time zone') }}
{%- endmacro %}

{% macro spark__ctl_timestamp_type() -%}
    {{ return('timestamp_ntz') }}
{%- endmacro %}
