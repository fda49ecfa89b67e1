{#-
    The lineage of a row unpacked from a FHIR bundle (or NCIt file) and the columns every
    clinical base model ends with, written once:

    fhir_item_lineage(relation): load_id, source_file, source_row_number, item_index (the
    row's place in the landed fragment) and raw_row, taken from the landed relation.

    fhir_item_tail(duplicate_key, current_when): the closing columns: the lineage above,
    row_key (file:row[item]), raw_row, reject_reason (the row's defect, else
    'duplicate <duplicate_key> within fragment' for every copy but the last of a fragment)
    and is_current_version (no defect, the fragment's last copy, and `current_when`).
    Expects defect and rank_in_fragment on the ranked rows.
-#}
{% macro fhir_item_lineage(relation='source') -%}
{{ relation }}._dlt_load_id as load_id,
        {{ relation }}._source_file as source_file,
        {{ relation }}._source_row_number as source_row_number,
        {{ relation }}._item_index as item_index,
        {{ row_to_json_text(relation) }} as raw_row
{%- endmacro %}

{% macro fhir_item_tail(duplicate_key, current_when='version_rank = 1') -%}
{%- set string = dbt.type_string() -%}
load_id,
    source_file,
    source_row_number,
    item_index,
    {{ dbt.concat(["source_file", "':'", "cast(source_row_number as " ~ string ~ ")",
                   "'['", "cast(item_index as " ~ string ~ ")", "']'"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_fragment > 1 then 'duplicate {{ duplicate_key }} within fragment' end
    ) as reject_reason,
    (defect is null and rank_in_fragment = 1 and {{ current_when }}) as is_current_version
{%- endmacro %}

{#- fhir_rank_in_fragment(key_column): 1 for the last copy of a key in its fragment (its
    landed row), counted apart for rows with and without a defect. -#}
{% macro fhir_rank_in_fragment(key_column) -%}
row_number() over (
            partition by (defect is null), {{ key_column }}, load_id, source_file, source_row_number
            order by item_index desc
        )
{%- endmacro %}

{#- fhir_ranked(key_column, relation): the rows of `relation` (with a `defect`) ranked:
    rank_in_fragment (fhir_rank_in_fragment), then rank_in_file and version_rank
    (classify_rows, the newest landed copy first). -#}
{% macro fhir_ranked(key_column, relation='checked') -%}
select
        in_fragment.*,
        {{ classify_rows([key_column],
            'load_id desc, source_file desc, source_row_number desc, item_index desc') }}
    from (
        select
            {{ relation }}.*,
            {{ fhir_rank_in_fragment(key_column) }} as rank_in_fragment
        from {{ relation }}
    ) as in_fragment
{%- endmacro %}
