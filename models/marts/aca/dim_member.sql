-- Members with full history (SCD2): one row per member version, valid from the source's
-- updated_at of that version until the next version's; the first version reaches back to
-- the beginning of time so that any earlier claim finds it. Plus an unknown row.
-- Versions come from every landed record (stg_aca__member_versions, and Synthea patients from
-- stg_synthea__member_versions), so history between two builds is kept; the snapshot tells
-- which members the ACA files dropped (closed, not reopened).
with aca_versions as (
    select * from {{ ref('stg_aca__member_versions') }}
),

synthea_versions as (
    select * from {{ ref('stg_synthea__member_versions') }}
),

source_versions as (
    -- the two source systems' members side by side; their ids cannot collide (Synthea's
    -- carry the prefix `synthea:`), and Synthea has none until an export is landed
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
        'aca_csv' as source_system
    from aca_versions
    union all
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
        source_system
    from synthea_versions
),

geography as (
    select * from {{ ref('dim_geography') }}
),

windowed as (
    {{ versions_history('source_versions', ref('snp_aca__members'), 'member_id') }}
),

known as (
    select
        {{ surrogate_key(['windowed.member_id', 'windowed.valid_from']) }} as member_sk,
        windowed.member_id,
        windowed.first_name,
        windowed.last_name,
        windowed.birth_date,
        cast(extract(year from windowed.birth_date) as integer) as birth_year,
        windowed.gender_code,
        windowed.street_address,
        windowed.zip_code,
        windowed.county_fips,
        coalesce(geography.geography_sk, {{ unknown_key() }}) as geography_sk,
        windowed.version_number,
        windowed.valid_from,
        windowed.valid_to,
        windowed.valid_to is null as is_current,
        windowed.is_deleted,
        windowed.source_system
    from windowed
    left join geography
        on windowed.county_fips = geography.county_fips
),

unknown as (
    select
        {{ unknown_key() }} as member_sk,
        'unknown' as member_id,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        cast(null as date) as birth_date,
        cast(null as integer) as birth_year,
        'U' as gender_code,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as zip_code,
        'unknown' as county_fips,
        {{ unknown_key() }} as geography_sk,
        1 as version_number,
        cast({{ far_past() }} as {{ dbt.type_timestamp() }}) as valid_from,
        cast(null as {{ dbt.type_timestamp() }}) as valid_to,
        true as is_current,
        false as is_deleted,
        'unknown' as source_system
)

select * from known
union all
select * from unknown
