-- One row per incrementally read source table per load run, across domains: the cursor
-- column, the watermark before and after the run, the rows read and the deleted keys
-- found, the load that landed them and when. A domain that reads incrementally adds its
-- stg_<domain>__watermarks model (same columns and types: the cursors are timestamps) to the
-- list. When no such model is built, the same columns come empty with the same types.
{%- set domain_watermarks = [
    ref('stg_pm__watermarks'),
] %}

with unioned as (
    {{ union_built_relations(domain_watermarks, empty_columns={
        'domain': dbt.type_string(),
        'table_name': dbt.type_string(),
        'cursor_column': dbt.type_string(),
        'previous_value': dbt.type_timestamp(),
        'last_value': dbt.type_timestamp(),
        'rows_read': dbt.type_bigint(),
        'deleted_keys_detected': dbt.type_bigint(),
        'load_id': dbt.type_string(),
        'loaded_at': dbt.type_timestamp(),
    }) }}
)

select
    {{ surrogate_key(['domain', 'table_name', 'load_id']) }} as source_watermark_sk,
    domain,
    table_name,
    cursor_column,
    previous_value,
    last_value,
    rows_read,
    deleted_keys_detected,
    load_id,
    loaded_at
from unioned
