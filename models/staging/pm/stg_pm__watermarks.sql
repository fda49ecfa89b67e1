-- One row per source table per load run: how far the incremental read got (the watermark
-- on the cursor column, before and after), how many changed rows it read and how many
-- deleted keys it found, with the load that landed those rows.
with watermarks as (
    {{ landed('pm', '_watermarks') }}
),

loads as (
    select * from {{ source('pm', '_dlt_loads') }}
    where status = 0
)

select
    'pm' as domain,
    {{ clean_text('watermarks.table_name') }} as table_name,
    {{ clean_text('watermarks.cursor_column') }} as cursor_column,
    {{ try_cast(clean_text('watermarks.previous_value'), 'timestamp') }} as previous_value,
    {{ try_cast(clean_text('watermarks.last_value'), 'timestamp') }} as last_value,
    watermarks.rows_read,
    watermarks.deleted_keys_detected,
    coalesce(watermarks.data_load_id, watermarks._dlt_load_id) as load_id,
    {{ try_cast(clean_text('watermarks.read_started_at'), 'timestamp') }} as read_started_at,
    cast(loads.inserted_at as {{ dbt.type_timestamp() }}) as loaded_at,
    watermarks._dlt_load_id as watermark_load_id
from watermarks
inner join loads
    on watermarks._dlt_load_id = loads.load_id
