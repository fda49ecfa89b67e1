-- Every landed patient, trimmed and typed (gender lower-cased and checked against FHIR's
-- administrative genders, birth date as precise as the source gives it), with the reason
-- it cannot be used. The newest usable version of each patient is current.
{%- set genders = ['male', 'female', 'other', 'unknown'] %}

with source as (
    {{ landed('clinical', 'patients') }}
),

typed as (
    select
        {{ clean_text('source.patient_id') }} as patient_id,
        {{ clean_text('source.birth_date') }} as birth_date_text,
        {{ try_cast(clean_text('source.birth_date'), 'date') }} as birth_date,
        lower({{ clean_text('source.gender') }}) as gender,
        lower({{ clean_text('source.active') }}) as active_text,
        {{ clean_text('source.deceased_at') }} as deceased_at_text,
        {{ iso8601_utc(clean_text('source.deceased_at')) }} as deceased_at,
        {{ clean_text('source.identifier_system') }} as identifier_system,
        {{ clean_text('source.identifier_value') }} as identifier_value,
        {{ clean_text('source.last_updated') }} as last_updated_text,
        {{ iso8601_utc(clean_text('source.last_updated')) }} as last_updated_at,
        {{ clean_text('source.source_file') }} as fhir_source_file,
        {{ clean_text('source.bundle_id') }} as bundle_id,
        {{ fhir_item_lineage('source') }}
    from source
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        -- FHIR dates may stop at the year or the month; the year is kept either way
        case when {{ regexp_like('birth_date_text', '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$') }}
                then {{ try_cast('substr(birth_date_text, 1, 4)', 'integer') }}
        end as birth_year,
        case
            when patient_id is null then 'missing patient_id'
            when birth_date_text is not null and not (
                    {{ regexp_like('birth_date_text', '^[0-9]{4}(-[0-9]{2})?$') }}
                    or birth_date is not null
                )
                then 'unparseable birth_date'
            when gender not in ('{{ genders | join("', '") }}') then 'invalid gender'  -- noqa: LT05
            when active_text not in ('true', 'false') then 'invalid active flag'
            when deceased_at is null and deceased_at_text is not null
                then 'unparseable deceased_at'
            when last_updated_at is null and last_updated_text is not null
                then 'unparseable last_updated'
        end as defect
    from typed
),

ranked as (
    {{ fhir_ranked('patient_id') }}
)

select
    patient_id,
    birth_date,
    birth_year,
    gender,
    case active_text when 'true' then true when 'false' then false end as is_active,
    deceased_at,
    identifier_system,
    identifier_value,
    last_updated_at,
    fhir_source_file,
    bundle_id,
    {{ fhir_item_tail('patient_id') }}
from ranked
