-- Providers (current state, type 1), one row per NPI, plus an unknown row.
with providers as (
    select * from {{ ref('stg_aca__providers') }}
),

geography as (
    select * from {{ ref('dim_geography') }}
),

known as (
    select
        {{ surrogate_key(['providers.npi']) }} as provider_sk,
        providers.npi,
        providers.provider_name,
        providers.specialty,
        providers.county_fips,
        coalesce(geography.geography_sk, {{ unknown_key() }}) as geography_sk,
        providers.updated_at
    from providers
    left join geography
        on providers.county_fips = geography.county_fips
),

unknown as (
    select
        {{ unknown_key() }} as provider_sk,
        'unknown' as npi,
        'Unknown provider' as provider_name,
        'unknown' as specialty,
        'unknown' as county_fips,
        {{ unknown_key() }} as geography_sk,
        cast(null as {{ dbt.type_timestamp() }}) as updated_at
)

select * from known
union all
select * from unknown
