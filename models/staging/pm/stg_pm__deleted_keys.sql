-- Keys the loader found gone from the source (hard deletes), from completed loads only.
with markers as (
    {{ landed('pm', '_deleted_keys') }}
)

select
    {{ clean_text('table_name') }} as table_name,
    {{ clean_text('key_value') }} as key_value,
    {{ try_cast(clean_text('detected_at'), 'timestamp') }} as detected_at,
    _dlt_load_id as load_id
from markers
