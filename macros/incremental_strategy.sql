{#-
    The incremental strategy for facts keyed on their grain. DuckDB and PostgreSQL replace
    rows with delete+insert; engines without it (Spark) merge on the key.
-#}
{% macro grain_incremental_strategy() -%}
    {{ return(adapter.dispatch('grain_incremental_strategy', 'warehouse')()) }}
{%- endmacro %}

{% macro default__grain_incremental_strategy() -%}
    {{ return('delete+insert') }}
{%- endmacro %}

{% macro spark__grain_incremental_strategy() -%}
    {{ return('merge') }}
{%- endmacro %}

{#-
    landed_rows_incremental_config(): the configuration of a base model built incrementally
    over landed rows (ACA): each run adds the rows of new loads, keyed on (load_id, row_key),
    new columns appended.
-#}
{% macro landed_rows_incremental_config() -%}
    {{ config(
        materialized='incremental',
        unique_key=['load_id', 'row_key'],
        incremental_strategy=grain_incremental_strategy(),
        on_schema_change='append_new_columns',
    ) }}
{%- endmacro %}

{#-
    The materialization of aggregates rebuilt slice by slice (every row of an affected date or
    member replaced with delete+insert on the slice column): incremental on DuckDB and
    PostgreSQL; a table rebuilt in full on Spark, whose merge cannot delete the rows of a
    slice that no longer has any.
-#}
{% macro slice_materialization() -%}
    {{ return(adapter.dispatch('slice_materialization', 'warehouse')()) }}
{%- endmacro %}

{% macro default__slice_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__slice_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{#-
    claim_slices_since_last_build(column): in an incremental aggregate of fct_claim_lines,
    the distinct values of `column` (service_date, member_id) of every version, earlier ones
    included, of the claims landed after the newest `source_load_id` already aggregated: the
    slices whose rows a new or replaced claim line can change. Synthea claims count too
    (base_synthea__claims, its member ids mapped as stg_synthea__claim_lines maps them).
-#}
{% macro claim_slices_since_last_build(column) -%}
    select distinct versions.{{ column }}
    from {{ ref('base_aca__claim_lines') }} as versions
    where versions.{{ column }} is not null
        and versions.claim_id in (
            select new_lines.claim_id
            from {{ ref('base_aca__claim_lines') }} as new_lines
            where new_lines.load_id > (
                select coalesce(max(built.source_load_id), '') from {{ this }} as built
            )
        )
    {%- set synthea_columns = {
        'service_date': 'versions.service_date',
        'member_id': dbt.concat(["'synthea:'", 'versions.patient_id']),
    } %}
    union
    select distinct {{ synthea_columns[column] }}
    from {{ ref('base_synthea__claims') }} as versions
    where versions.service_date is not null
        and versions.claim_id in (
            select new_claims.claim_id
            from {{ ref('base_synthea__claims') }} as new_claims
            where new_claims.load_id > (
                select coalesce(max(built.source_load_id), '') from {{ this }} as built
            )
        )
{%- endmacro %}
