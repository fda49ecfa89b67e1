-- Files landed into raw_clinical by completed loads, with their load time.
with files as (
    select * from {{ source('clinical', '_landed_files') }}
),

loads as (
    select * from {{ source('clinical', '_dlt_loads') }}
    where status = 0
)

select
    'clinical' as domain,
    files.file_name,
    files.table_name,
    files.sha256,
    files.size_bytes,
    files.row_count,
    files.rejected_line_count,
    files._dlt_load_id as load_id,
    cast(loads.inserted_at as {{ dbt.type_timestamp() }}) as loaded_at
from files
inner join loads
    on files._dlt_load_id = loads.load_id
