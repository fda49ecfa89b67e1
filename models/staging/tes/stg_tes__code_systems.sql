-- The code systems the Refiner keeps apart (LOINC, SNOMED CT, ICD-10, RxNorm), by the URIs and
-- OIDs TES publications use and by short name. Every other system is `other`, and kept.
-- A table of literals, one row per line (sqlfluff would put every value on its own line).
-- noqa: disable=LT09,LT11
with systems (system_uri, code_system, short_name) as (
    select 'http://loinc.org', 'loinc', 'loinc'
    union all select 'urn:oid:2.16.840.1.113883.6.1', 'loinc', cast(null as {{ dbt.type_string() }})
    union all select 'http://snomed.info/sct', 'snomed', 'snomed'
    union all select 'urn:oid:2.16.840.1.113883.6.96', 'snomed', null
    union all select 'http://hl7.org/fhir/sid/icd-10-cm', 'icd10', 'icd10'
    union all select 'http://hl7.org/fhir/sid/icd-10', 'icd10', null
    union all select 'urn:oid:2.16.840.1.113883.6.90', 'icd10', null
    union all select 'urn:oid:2.16.840.1.113883.6.3', 'icd10', null
    union all select 'http://www.nlm.nih.gov/research/umls/rxnorm', 'rxnorm', 'rxnorm'
    union all select 'urn:oid:2.16.840.1.113883.6.88', 'rxnorm', null
)
-- noqa: enable=LT09,LT11

select
    system_uri,
    code_system,
    short_name
from systems
