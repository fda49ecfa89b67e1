-- Every landed Synthea patient, typed, with the reason it cannot be used (null when usable).
-- A county FIPS that is blank or not five digits (Synthea leaves it blank for some towns) is
-- kept as unknown (null), not rejected: the member's geography is the unknown row.
with source as (
    {{ landed_or_empty('synthea', 'patients', [
        'id', 'birthdate', 'first', 'last', 'gender', 'address', 'zip', 'fips'
    ]) }}
),

typed as (
    select
        {{ clean_text('source.id') }} as patient_id,
        {{ clean_text('source.first') }} as first_name,
        {{ clean_text('source.last') }} as last_name,
        {{ clean_text('source.birthdate') }} as birth_date_text,
        {{ try_cast(clean_text('source.birthdate'), 'date') }} as birth_date,
        upper({{ clean_text('source.gender') }}) as gender_text,
        {{ clean_text('source.address') }} as street_address,
        {{ clean_text('source.zip') }} as zip_code,
        {{ clean_text('source.fips') }} as fips_text,
        source._dlt_loaded_at as loaded_at,
        source._dlt_load_id as load_id,
        source._source_file as source_file,
        source._source_row_number as source_row_number,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

checked as (
    select
        typed.*,
        case when gender_text in ('F', 'M') then gender_text else 'U' end as gender_code,
        case
            when {{ regexp_like('fips_text', '^[0-9]{5}$') }} then fips_text
        end as county_fips,
        case
            when patient_id is null then 'blank Id'
            when birth_date is null and birth_date_text is not null then 'unparseable BIRTHDATE'
            when birth_date is null then 'missing BIRTHDATE'
            when birth_date < {{ far_past() }} or birth_date > cast(loaded_at as date)
                then 'BIRTHDATE out of range'
        end as defect
    from typed
),

ranked as (
    select
        checked.*,
        {{ classify_rows(['patient_id'], 'loaded_at desc') }}
    from checked
)

select
    patient_id,
    first_name,
    last_name,
    birth_date,
    gender_code,
    street_address,
    zip_code,
    county_fips,
    loaded_at,
    load_id,
    source_file,
    source_row_number,
    {{ source_row_key() }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when rank_in_file > 1 then 'duplicate patient Id within file' end
    ) as reject_reason,
    (defect is null and version_rank = 1) as is_current_version
from ranked
