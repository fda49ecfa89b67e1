-- Synthea patients as ACA member versions (the shape of stg_aca__member_versions, plus
-- source_system), keyed `synthea:<Id>` so that they cannot collide with ACA member ids.
-- A version is dated by the load that brought it; repeats of the previous version are dropped.
with patients as (
    select * from {{ ref('base_synthea__patients') }}
    where reject_reason is null
),

mapped as (
    select
        {{ dbt.concat(["'synthea:'", "patient_id"]) }} as member_id,
        first_name,
        last_name,
        birth_date,
        gender_code,
        street_address,
        zip_code,
        county_fips,
        loaded_at as updated_at,
        load_id,
        source_file,
        source_row_number
    from patients
),

hashed as (
    select
        mapped.*,
        {{ surrogate_key([
            'first_name', 'last_name', 'birth_date', 'gender_code',
            'street_address', 'zip_code', 'county_fips'
        ]) }} as attributes_hash,
        row_number() over (
            partition by member_id, updated_at
            order by load_id desc, source_file desc, source_row_number desc
        ) as rank_at_time
    from mapped
),

sequenced as (
    select
        hashed.*,
        lag(attributes_hash) over (partition by member_id order by updated_at) as previous_hash
    from hashed
    where rank_at_time = 1
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
    attributes_hash,
    load_id,
    'synthea' as source_system
from sequenced
where previous_hash is null or previous_hash <> attributes_hash
