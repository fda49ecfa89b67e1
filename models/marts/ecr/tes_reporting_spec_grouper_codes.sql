-- Every code of every reporting-spec grouper version, one row per grouper version, system and
-- code, with the system normalized to loinc / snomed / icd10 / rxnorm / other.
with valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
    where grouper_type = 'reporting-specification-grouper'
),

codes as (
    select * from {{ ref('stg_tes__valueset_codes') }}
)

select
    {{ surrogate_key(['valuesets.url', 'valuesets.version', 'codes.system_uri', 'codes.code']) }} as grouper_code_sk,
    valuesets.url as canonical_url,
    valuesets.version,
    valuesets.snomed_code,
    codes.code_system,
    codes.system_uri,
    codes.code,
    codes.display
from codes
inner join valuesets
    on codes.valueset_url = valuesets.url
    and codes.valueset_version = valuesets.version
