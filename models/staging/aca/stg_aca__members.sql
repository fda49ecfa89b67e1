-- Members as of the latest landed record: one row per member_id, usable rows only.
with members as (
    select * from {{ ref('base_aca__members') }}
    where is_current_version
)

select
    member_id,
    first_name,
    last_name,
    birth_date,
    gender_code,
    street_address,
    zip_code,
    county_fips,
    updated_at,
    {{ surrogate_key([
        'first_name', 'last_name', 'birth_date', 'gender_code',
        'street_address', 'zip_code', 'county_fips'
    ]) }} as attributes_hash,
    load_id
from members
