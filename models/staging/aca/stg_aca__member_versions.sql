-- Every distinct version of each member the files have carried: usable rows in updated_at
-- order, one per member and updated_at (the latest landed wins), a row repeating the previous
-- version's attributes dropped. SCD2 history is cut from these rather than from what a
-- snapshot saw at build time, so a member that changed twice between two builds keeps both
-- versions, and a point-in-time query returns what the source said on that day.
with members as (
    select * from {{ ref('base_aca__members') }}
    where reject_reason is null
),

hashed as (
    select
        members.*,
        {{ surrogate_key([
            'first_name', 'last_name', 'birth_date', 'gender_code',
            'street_address', 'zip_code', 'county_fips'
        ]) }} as attributes_hash,
        row_number() over (
            partition by member_id, updated_at
            order by load_id desc, source_file desc, source_row_number desc
        ) as rank_at_time
    from members
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
    load_id
from sequenced
where previous_hash is null or previous_hash <> attributes_hash
