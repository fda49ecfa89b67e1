-- The groupers each current configuration version covers (blank version: the latest landed).
with configurations as (
    select * from {{ ref('stg_tes__configurations') }}
),

groupers as (
    select * from {{ ref('base_tes__configuration_groupers') }}
    where reject_reason is null
)

select
    configurations.configuration_id,
    configurations.configuration_version,
    groupers.list_name,
    groupers.item_index,
    groupers.grouper_url,
    groupers.grouper_version,
    groupers.load_id
from groupers
inner join configurations
    on groupers.load_id = configurations.load_id
    and groupers.source_file = configurations.source_file
    and groupers.configuration_row_number = configurations.source_row_number
