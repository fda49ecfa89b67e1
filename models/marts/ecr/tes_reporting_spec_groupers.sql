-- Reporting-spec groupers (children): one row per url|version, the SNOMED condition code each is
-- for, and its codes by system as sorted, comma-separated lists (other systems as system|code).
{%- set systems = ['loinc', 'snomed', 'icd10', 'rxnorm'] %}
with valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
    where grouper_type = 'reporting-specification-grouper'
),

codes as (
    select * from {{ ref('tes_reporting_spec_grouper_codes') }}
),

code_lists as (
    select
        canonical_url,
        version,
        {%- for system in systems %}
        {{ dbt.listagg(
            "case when code_system = '" ~ system ~ "' then code end",
            "','",
            "order by " ~ sort_key("case when code_system = '" ~ system ~ "' then code end")
        ) }} as {{ system }}_codes,
        {%- endfor %}
        {{ dbt.listagg(
            "case when code_system = 'other' then " ~ dbt.concat(['system_uri', "'|'", 'code']) ~ " end",
            "','",
            "order by " ~ sort_key("case when code_system = 'other' then " ~ dbt.concat(['system_uri', "'|'", 'code']) ~ " end")
        ) }} as other_codes,
        count(*) as code_count
    from codes
    group by canonical_url, version
)

select
    {{ surrogate_key(['valuesets.url', 'valuesets.version']) }} as reporting_spec_grouper_sk,
    valuesets.url as canonical_url,
    valuesets.version,
    valuesets.snomed_code,
    valuesets.name,
    valuesets.title as display_name,
    valuesets.status,
    valuesets.publisher,
    valuesets.published_date,
    {%- for system in systems %}
    code_lists.{{ system }}_codes,
    {%- endfor %}
    code_lists.other_codes,
    coalesce(code_lists.code_count, 0) as code_count,
    valuesets.source_file,
    valuesets.load_id
from valuesets
left join code_lists
    on valuesets.url = code_lists.canonical_url
    and valuesets.version = code_lists.version
