-- Providers as of the latest landed record: one row per NPI, usable rows only.
with providers as (
    select * from {{ ref('base_aca__providers') }}
    where is_current_version
)

select
    npi,
    provider_name,
    specialty,
    county_fips,
    updated_at,
    load_id
from providers
