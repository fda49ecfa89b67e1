-- Every TES raw row that cannot be used, with its reason and the row as it landed.
{%- set tables = [
    ('valuesets', 'base_tes__valuesets', none),
    ('valueset_includes', 'base_tes__valueset_includes', none),
    ('valueset_concepts', 'base_tes__valueset_concepts', none),
    ('valueset_references', 'base_tes__valueset_references', none),
    ('configurations', 'base_tes__configurations', none),
    ('configuration_groupers', 'base_tes__configuration_groupers', none),
    ('configuration_codes', 'base_tes__configuration_codes', none),
    ('activations', 'base_tes__activations', none),
    (none, 'base_tes__jurisdictions', 'source_table'),
] %}

with
{%- for table, model, table_column in tables %}
{{ model }}_rejects as (
    select
        {{ table_column if table_column else "'" ~ table ~ "'" }} as source_table,
        load_id,
        row_key,
        reject_reason,
        raw_row
    from {{ ref(model) }}
    where reject_reason is not null
),
{% endfor %}
unreadable as (
    select
        table_name as source_table,
        _dlt_load_id as load_id,
        {%- set line_label = dbt.concat(["'line '", "cast(line_number as " ~ dbt.type_string() ~ ")"]) %}
        {{ dbt.concat(["file_name", "':'", "coalesce(" ~ line_label ~ ", reason)"]) }} as row_key,
        {{ dbt.concat(["'unreadable: '", "reason"]) }} as reject_reason,
        line_text as raw_row
    from {{ source('tes', '_rejected_lines') }}
    where _dlt_load_id in (
            select load_id from {{ source('tes', '_dlt_loads') }}
            where status = 0
        )
),

unioned as (
    {%- for table, model, table_column in tables %}
    select * from {{ model }}_rejects
    union all
    {%- endfor %}
    select * from unreadable
)

select
    'tes' as domain,
    source_table,
    load_id,
    row_key,
    reject_reason,
    raw_row
from unioned
