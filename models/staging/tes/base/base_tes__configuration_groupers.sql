-- Every landed grouper a configuration covers: an included condition grouper, or the
-- reporting-spec grouper it names directly (`url|version` or url and version apart). A blank
-- version means "the latest landed version".
with source as (
    {{ landed('tes', 'configuration_groupers') }}
),

typed as (
    select
        {{ clean_text('source.list_name') }} as list_name,
        source.item_index,
        {{ clean_text('source.reference') }} as reference,
        coalesce(
            {{ clean_text('source.canonical_url') }},
            {{ clean_text(dbt.split_part(clean_text('source.reference'), "'|'", 1)) }}
        ) as grouper_url,
        case
            when {{ clean_text('source.canonical_url') }} is not null
                then {{ clean_text('source.version') }}
            else {{ clean_text(dbt.split_part(clean_text('source.reference'), "'|'", 2)) }}
        end as grouper_version,
        source._configuration_row_number as configuration_row_number,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when grouper_url is null then 'configuration grouper without a url'
            when list_name not in ('included_conditions', 'child_grouper') then 'unknown grouper list'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by
                (defect is null), load_id, source_file, configuration_row_number,
                grouper_url, coalesce(grouper_version, '')
            order by source_row_number
        ) as rank_in_configuration
    from checked
)

select
    list_name,
    item_index,
    grouper_url,
    grouper_version,
    configuration_row_number,
    {{ file_row_tail(
        'duplicate grouper within configuration',
        'rank_in_configuration',
        current_version=false,
    ) }}
from ranked
