-- Every landed providers row, typed, with the reason it cannot be used (null when usable).
-- A table built incrementally: each run types and checks the rows of loads newer than the
-- last one built, and ranks them again with every earlier row of the same npi.
{{ landed_rows_incremental_config() }}

with source as (
    {{ landed_since_last_build('aca', 'providers', 'npi') }}
),

typed as (
    select
        {{ clean_text('source.npi') }} as npi,
        {{ clean_text('source.provider_name') }} as provider_name,
        lower({{ clean_text('source.specialty') }}) as specialty,
        {{ clean_text('source.county_fips') }} as county_fips,
        {{ try_cast(clean_text('source.updated_at'), 'timestamp') }} as updated_at,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when npi is null then 'blank npi'
            when not {{ npi_is_valid('npi') }} then 'invalid npi (format or check digit)'
            when updated_at is null then 'unparseable or missing updated_at'
            when county_fips is null or not {{ regexp_like('county_fips', '^[0-9]{5}$') }}
                then 'invalid county_fips'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['npi'], 'updated_at desc') }}
    from checked
)

select
    npi,
    provider_name,
    specialty,
    county_fips,
    updated_at,
    {{ file_row_tail('duplicate npi within file') }}
from ranked
