-- Every landed jurisdiction: the routing-code CSV and the jurisdictions listed in configuration
-- files, typed, with the reason a row cannot be used. The routing-code list wins over a
-- configuration file for the same code.
with routing_codes as (
    {{ landed('tes', 'jurisdictions') }}
),

configuration_jurisdictions as (
    {{ landed('tes', 'configuration_jurisdictions') }}
),

unioned as (
    select
        'jurisdictions' as source_table,
        upper({{ clean_text('routing_codes.routingcode') }}) as jurisdiction_id,
        {{ clean_text('routing_codes.jurisdiction') }} as jurisdiction_name,
        cast(null as {{ dbt.type_string() }}) as state_code,
        routing_codes._dlt_load_id as load_id,
        routing_codes._source_file as source_file,
        routing_codes._source_row_number as source_row_number,
        {{ row_to_json_text('routing_codes') }} as raw_row
    from routing_codes
    union all
    select
        'configuration_jurisdictions' as source_table,
        upper({{ clean_text('configuration_jurisdictions.id') }}) as jurisdiction_id,
        {{ clean_text('configuration_jurisdictions.name') }} as jurisdiction_name,
        upper({{ clean_text('configuration_jurisdictions.state_code') }}) as state_code,
        configuration_jurisdictions._dlt_load_id as load_id,
        configuration_jurisdictions._source_file as source_file,
        configuration_jurisdictions._source_row_number as source_row_number,
        {{ row_to_json_text('configuration_jurisdictions') }} as raw_row
    from configuration_jurisdictions
),

checked as (
    select
        unioned.*,
        case
            when jurisdiction_id is null then 'blank jurisdiction id (routing code)'
            when jurisdiction_name is null then 'blank jurisdiction name'
        end as defect
    from unioned
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['jurisdiction_id'],
            "case when source_table = 'jurisdictions' then 0 else 1 end, load_id desc") }}
    from checked
)

select
    jurisdiction_id,
    jurisdiction_name,
    state_code,
    source_table,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_file > 1 then 'duplicate jurisdiction id within file' end
    ) as reject_reason,
    (defect is null and version_rank = 1) as is_current_version
from ranked
