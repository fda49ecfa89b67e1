-- Every landed NCIt concept, keyed by its bare code (`NCIT:C19951` -> `C19951`), trimmed,
-- with the reason it cannot be used. Fragments repeat the concepts they use; the newest
-- usable version of each concept is current.
{%- set string = dbt.type_string() %}

with source as (
    {{ landed('clinical', 'ncit_concepts') }}
),

typed as (
    select
        {{ clean_text('source.ncit_id') }} as ncit_id_raw,
        {{ ncit_code(clean_text('source.ncit_id')) }} as ncit_id,
        {{ clean_text('source.preferred_name') }} as preferred_name,
        {{ clean_text('source.semantic_group') }} as semantic_group,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        source._item_index as item_index,
        {{ row_to_json_text('source') }} as raw_row
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when ncit_id_raw is null then 'missing ncit_id'
            when ncit_id is null then 'unparseable ncit_id'
            when preferred_name is null then 'missing preferred_name'
        end as defect
    from typed
),

in_fragment as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), ncit_id, load_id, source_file, source_row_number
            order by item_index desc
        ) as rank_in_fragment
    from checked
),

ranked as (
    select
        in_fragment.*,
        {{ classify_rows(['ncit_id'],
            'load_id desc, source_file desc, source_row_number desc, item_index desc') }}
    from in_fragment
)

select
    ncit_id,
    ncit_id_raw,
    preferred_name,
    semantic_group,
    load_id,
    source_file,
    source_row_number,
    item_index,
    {{ dbt.concat(["source_file", "':'", "cast(source_row_number as " ~ string ~ ")",
                   "'['", "cast(item_index as " ~ string ~ ")", "']'"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_fragment > 1 then 'duplicate ncit_id within fragment' end
    ) as reject_reason,
    (defect is null and rank_in_fragment = 1 and version_rank = 1) as is_current_version
from ranked
