-- Counties with their state and rating area: one row per county FIPS code, usable rows only.
with rating_areas as (
    select * from {{ ref('base_aca__rating_areas') }}
    where is_current_version
),

states as (
    select * from {{ ref('us_states') }}
)

select
    rating_areas.county_fips,
    rating_areas.county_name,
    rating_areas.state_fips,
    states.state_code,
    rating_areas.state_name,
    rating_areas.rating_area,
    rating_areas.rating_area is null as is_rated_by_zip3,
    rating_areas.load_id
from rating_areas
left join states
    on rating_areas.state_fips = states.state_fips
