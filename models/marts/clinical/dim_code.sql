-- Code elements: one row per `code_element_id` (a request's system and code), with the
-- code system named where the mapper recognized it. A coding repeated inside a request is
-- one element (its first position wins). Plus the unknown code for requests without codes.
with codes as (
    select * from {{ ref('stg_clinical__codes') }}
),

first_coding as (
    select
        codes.*,
        row_number() over (partition by code_element_id order by coding_index) as position_rank
    from codes
),

known as (
    select
        {{ surrogate_key(['code_element_id']) }} as code_sk,
        code_element_id,
        service_request_id,
        code_system,
        code_system_normalized,
        case
            when code_system_normalized is null then null
            when code_system_normalized = 'http://snomed.info/sct' then 'SNOMED CT'
            when code_system_normalized = 'http://loinc.org' then 'LOINC'
            when code_system_normalized = 'http://www.ama-assn.org/go/cpt' then 'CPT'
            when code_system_normalized = 'http://hl7.org/fhir/sid/icd-10-cm' then 'ICD-10-CM'
            when code_system_normalized = 'http://www.cms.gov/Medicare/Coding/ICD10' then 'ICD-10-PCS'
            when code_system_normalized = 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl'
                then 'NCI Thesaurus'
            else 'other registered system'
        end as code_system_name,
        code,
        display,
        code_system_version,
        code_system_normalized is not null as is_known_system
    from first_coding
    where position_rank = 1
),

labelled as (
    select
        code_sk,
        code_element_id,
        service_request_id,
        code_system,
        code_system_normalized,
        coalesce(
            code_system_name,
            case when code_system is null then 'missing system' else 'unregistered system' end
        ) as code_system_name,
        code,
        display,
        code_system_version,
        is_known_system
    from known
),

unknown as (
    select
        {{ unknown_key() }} as code_sk,
        'unknown' as code_element_id,
        cast(null as {{ dbt.type_string() }}) as service_request_id,
        cast(null as {{ dbt.type_string() }}) as code_system,
        cast(null as {{ dbt.type_string() }}) as code_system_normalized,
        'no code' as code_system_name,
        cast(null as {{ dbt.type_string() }}) as code,
        'No code (service request without codes)' as display,
        cast(null as {{ dbt.type_string() }}) as code_system_version,
        false as is_known_system
)

select * from labelled
union all
select * from unknown
