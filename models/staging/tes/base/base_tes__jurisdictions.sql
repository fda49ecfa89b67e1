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
        {{ file_row_lineage('routing_codes') }}
    from routing_codes
    union all
    select
        'configuration_jurisdictions' as source_table,
        upper({{ clean_text('configuration_jurisdictions.id') }}) as jurisdiction_id,
        {{ clean_text('configuration_jurisdictions.name') }} as jurisdiction_name,
        upper({{ clean_text('configuration_jurisdictions.state_code') }}) as state_code,
        {{ file_row_lineage('configuration_jurisdictions') }}
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
    {{ file_row_tail('duplicate jurisdiction id within file') }}
from ranked
