-- Every landed `compose.include[].valueSet[]` reference (`url|version`), split, with its reject reason.
with source as (
    {{ landed('tes', 'valueset_references') }}
),

typed as (
    select
        {{ clean_text('source.reference') }} as reference,
        {{ clean_text(dbt.split_part(clean_text('source.reference'), "'|'", 1)) }} as child_url,
        {{ clean_text(dbt.split_part(clean_text('source.reference'), "'|'", 2)) }} as child_version,
        {{ clean_text(dbt.split_part(clean_text('source.reference'), "'|'", 3)) }} as extra_part,
        source.include_index,
        source.reference_index,
        source._valueset_row_number as valueset_row_number,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        {{ row_to_json_text('source') }} as raw_row
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when reference is null then 'blank reference'
            when extra_part is not null then 'malformed reference (more than one |)'
            when child_url is null then 'reference without a url'
            when child_version is null then 'reference without a version (expected url|version)'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), load_id, source_file, valueset_row_number, child_url, child_version
            order by source_row_number
        ) as rank_in_valueset
    from checked
)

select
    reference,
    child_url,
    child_version,
    include_index,
    reference_index,
    valueset_row_number,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_valueset > 1 then 'duplicate reference within value set' end
    ) as reject_reason
from ranked
