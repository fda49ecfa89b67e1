-- Counties with their state and ACA rating area, plus an unknown row for facts that match nothing.
with counties as (
    select * from {{ ref('stg_aca__rating_areas') }}
),

known as (
    select
        {{ surrogate_key(['county_fips']) }} as geography_sk,
        county_fips,
        county_name,
        state_fips,
        state_code,
        state_name,
        rating_area,
        case
            when rating_area is not null
                then {{ dbt.concat([
                    "coalesce(state_code, state_fips)",
                    "' rating area '",
                    "cast(rating_area as " ~ dbt.type_string() ~ ")",
                ]) }}
        end as rating_area_name,
        is_rated_by_zip3
    from counties
),

unknown as (
    select
        {{ unknown_key() }} as geography_sk,
        'unknown' as county_fips,
        'Unknown county' as county_name,
        'unknown' as state_fips,
        'unknown' as state_code,
        'Unknown state' as state_name,
        cast(null as integer) as rating_area,
        cast(null as {{ dbt.type_string() }}) as rating_area_name,
        false as is_rated_by_zip3
)

select * from known
union all
select * from unknown
