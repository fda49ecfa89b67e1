-- Every landed members row, typed, with the reason it cannot be used (null when usable).
-- A table built incrementally: each run types and checks the rows of loads newer than the
-- last one built, and ranks them again with every earlier row of the same member_id.
{{ landed_rows_incremental_config() }}

with source as (
    {{ landed_since_last_build('aca', 'members', 'member_id') }}
),

typed as (
    select
        {{ clean_text('source.member_id') }} as member_id,
        {{ clean_text('source.first_name') }} as first_name,
        {{ clean_text('source.last_name') }} as last_name,
        {{ clean_text('source.birth_date') }} as birth_date_text,
        {{ try_cast(clean_text('source.birth_date'), 'date') }} as birth_date,
        upper({{ clean_text('source.gender') }}) as gender_code,
        {{ clean_text('source.street_address') }} as street_address,
        {{ clean_text('source.zip_code') }} as zip_code,
        {{ clean_text('source.county_fips') }} as county_fips,
        {{ clean_text('source.updated_at') }} as updated_at_text,
        {{ try_cast(clean_text('source.updated_at'), 'timestamp') }} as updated_at,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when member_id is null then 'blank member_id'
            when birth_date is null and birth_date_text is not null then 'unparseable birth_date'
            when birth_date is null then 'missing birth_date'
            when birth_date < {{ far_past() }} or birth_date > cast(updated_at as date)
                then 'birth_date out of range'
            when updated_at is null then 'unparseable or missing updated_at'
            when gender_code is null or gender_code not in ('F', 'M', 'U') then 'invalid gender'
            when county_fips is null or not {{ regexp_like('county_fips', '^[0-9]{5}$') }}
                then 'invalid county_fips'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['member_id'], 'updated_at desc') }}
    from checked
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
    {{ file_row_tail('duplicate member_id within file') }}
from ranked
