-- Every landed crosswalk row (CMS layout), typed, with the reason it cannot be used.
-- CMS writes FIPS codes as integers (Alabama's Autauga county is `1001`), so they are
-- zero-padded here; states rated by 3-digit ZIP leave the rating area blank.
-- A table, so that its tests and the models above it read it once built.
{{ config(materialized='table') }}

with source as (
    {{ landed('aca', 'rating_areas') }}
),

corrections as (
    select * from {{ ref('county_name_corrections') }}
),

typed as (
    select
        {{ clean_text('source.statefip') }} as state_fips_text,
        {{ clean_text('source.state') }} as state_name,
        {{ clean_text('source.countyfip') }} as county_fips_text,
        {{ clean_text('source.county') }} as county_name_as_published,
        {{ clean_text('source.ratingarea') }} as rating_area_text,
        {{ try_cast(clean_text('source.ratingarea'), 'integer') }} as rating_area,
        {{ file_row_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

padded as (
    select
        typed.*,
        case
            when {{ regexp_like('state_fips_text', '^[0-9]{1,2}$') }}
                then lpad(state_fips_text, 2, '0')
        end as state_fips,
        case
            when {{ regexp_like('county_fips_text', '^[0-9]{4,5}$') }}
                then lpad(county_fips_text, 5, '0')
        end as county_fips
    from typed
),

checked as (
    select
        padded.*,
        coalesce(corrections.county_name, padded.county_name_as_published) as county_name,
        case
            when padded.county_fips is null then 'invalid countyfip'
            when padded.state_fips is null then 'invalid statefip'
            when substr(padded.county_fips, 1, 2) <> padded.state_fips then 'countyfip not in statefip'
            when padded.county_name_as_published is null then 'blank county'
            when padded.rating_area is null and padded.rating_area_text is not null
                then 'unparseable ratingarea'
        end as defect
    from padded
    left join corrections
        on padded.county_fips = corrections.county_fips
        and padded.county_name_as_published = corrections.county_name_as_published
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['county_fips'], 'load_id desc') }}
    from checked
)

select
    state_fips,
    state_name,
    county_fips,
    county_name,
    rating_area,
    {{ file_row_tail('duplicate countyfip within file') }}
from ranked
