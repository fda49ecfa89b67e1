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
        {{ file_row_lineage('source') }}
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
    {{ file_row_tail(
        'duplicate reference within value set',
        'rank_in_valueset',
        current_version=false,
    ) }}
from ranked
