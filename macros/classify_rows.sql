{#-
    classify_rows(key_columns, newest_first): window columns that sort raw rows into
    current versions, older versions and duplicates. Rows already carrying a `defect`
    are ranked apart, so a bad row never hides a good one.

      rank_in_file  1 for the last occurrence of a key within one file; >1 marks a duplicate
      version_rank  1 for the newest usable version of a key (newest_first decides)
-#}
{% macro classify_rows(key_columns, newest_first) -%}
    row_number() over (
        partition by (defect is null), {{ key_columns | join(', ') }}, source_file
        order by source_row_number desc
    ) as rank_in_file,
    row_number() over (
        partition by (defect is null), {{ key_columns | join(', ') }}
        order by {{ newest_first }}, load_id desc, source_file desc, source_row_number desc
    ) as version_rank
{%- endmacro %}

{#- row_key(): where a raw row came from, readable by an operator: `file.csv:42`. -#}
{% macro source_row_key() -%}
    {{ dbt.concat(["source_file", "':'", "cast(source_row_number as " ~ dbt.type_string() ~ ")"]) }}
{%- endmacro %}

{#-
    file_row_lineage(relation): where a landed file row came from (load_id, source_file,
    source_row_number) and the row itself as JSON text (raw_row).
-#}
{% macro file_row_lineage(relation='source') -%}
{{ relation }}._dlt_load_id as load_id,
        {{ relation }}._source_file as source_file,
        {{ relation }}._source_row_number as source_row_number,
        {{ row_to_json_text(relation) }} as raw_row
{%- endmacro %}

{#-
    file_row_tail(duplicate_reason, rank_column, current_version): the closing columns of a
    base model over landed file rows: the lineage, row_key, raw_row and reject_reason (the
    row's defect, else duplicate_reason for every copy `rank_column` ranks after the first),
    plus is_current_version (no defect, the newest version) unless current_version is false.
-#}
{% macro file_row_tail(duplicate_reason, rank_column='rank_in_file', current_version=true) -%}
load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when {{ rank_column }} > 1 then '{{ duplicate_reason }}' end
    ) as reject_reason
    {%- if current_version %},
    (defect is null and version_rank = 1) as is_current_version
    {%- endif %}
{%- endmacro %}
