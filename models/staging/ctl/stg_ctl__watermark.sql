-- Last cursor value and rows read per incremental source table.
with watermarks as (
    select * from {{ source('ctl', 'watermark') }}
)

select
    source_name,
    table_name,
    cursor_column,
    last_value,
    rows_read,
    total_rows_read,
    run_id,
    updated_at
from watermarks
