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
