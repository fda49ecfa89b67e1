{#-
    The steps every project-management base model shares, written once. The PM source
    lands rows as dlt inferred them, so each base model first reads every column as
    trimmed text, types it, checks it, then ranks the copies of a key:

    pm_texts(columns, relation): select every named landed column as trimmed text,
        `<name>_text` (an entry 'raw as name' renames), plus load_id and raw_row.
    pm_deleted_in_source(rows): whether a load after the row's own listed its key as
        deleted in the source (expects a `deleted_keys` CTE and `source_key`, `load_id`).
    pm_version_rank(key_columns): 1 for the newest copy of a key (by updated_at, then
        load), counted apart for rows with and without a defect.
    pm_row_tail(table_name, copy_of): the closing columns: load_id, source_key, row_key
        ('<table_name>:<source_key>'), raw_row, reject_reason (the defect, else 'older
        copy of <copy_of> key in raw'), is_deleted_in_source and is_current_version.
-#}
{% macro pm_texts(columns, relation='source') -%}
{%- set t = dbt.type_string() -%}
select
        {%- for column in columns %}
        {%- set parts = column.split(' as ') %}
        {{ clean_text('cast(' ~ relation ~ '.' ~ parts[0] ~ ' as ' ~ t ~ ')') }} as {{ parts[-1] }}_text,
        {%- endfor %}
        {{ relation }}._dlt_load_id as load_id,
        {{ row_to_json_text(relation) }} as raw_row
    from {{ relation }}
{%- endmacro %}

{% macro pm_deleted_in_source(rows='typed') -%}
exists(
            select 1 from deleted_keys
            where deleted_keys.key_value = {{ rows }}.source_key
                and deleted_keys.load_id > {{ rows }}.load_id
        )
{%- endmacro %}

{% macro pm_version_rank(key_columns) -%}
row_number() over (
            partition by (defect is null), {{ key_columns | join(', ') }}
            order by updated_at desc, load_id desc
        )
{%- endmacro %}

{% macro pm_row_tail(table_name, copy_of) -%}
load_id,
    source_key,
    {{ dbt.concat(["'" ~ table_name ~ ":'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of {{ copy_of }} key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
{%- endmacro %}
