-- Condition groupers (parents): one row per url|version (versions side by side), with their
-- references counted and the codes of their reporting-spec groupers aggregated by system.
{%- set systems = ['loinc', 'snomed', 'icd10', 'rxnorm'] %}
with valuesets as (
    select * from {{ ref('stg_tes__valuesets') }}
    where grouper_type = 'condition-grouper'
),

all_refs as (
    select
        parent_url,
        parent_version,
        count(*) as reference_count
    from {{ ref('stg_tes__valueset_references') }}
    group by parent_url, parent_version
),

resolved as (
    select
        parent_grouper_url,
        parent_grouper_version,
        count(*) as child_grouper_count,
        {{ dbt.listagg('child_snomed_code', "','", 'order by ' ~ sort_key('child_snomed_code')) }} as child_snomed_codes
    from {{ ref('tes_condition_grouper_references') }}
    group by parent_grouper_url, parent_grouper_version
),

codes as (
    select * from {{ ref('tes_condition_grouper_codes') }}
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
    {{ surrogate_key(['valuesets.url', 'valuesets.version']) }} as condition_grouper_sk,
    valuesets.url as canonical_url,
    valuesets.version,
    valuesets.name,
    valuesets.title as display_name,
    valuesets.status,
    valuesets.publisher,
    valuesets.published_date,
    coalesce(all_refs.reference_count, 0) as reference_count,
    coalesce(resolved.child_grouper_count, 0) as child_grouper_count,
    coalesce(all_refs.reference_count, 0) - coalesce(resolved.child_grouper_count, 0) as unresolved_reference_count,
    resolved.child_snomed_codes,
    {%- for system in systems %}
    code_lists.{{ system }}_codes,
    {%- endfor %}
    code_lists.other_codes,
    coalesce(code_lists.code_count, 0) as code_count,
    valuesets.source_file,
    valuesets.load_id
from valuesets
left join all_refs
    on valuesets.url = all_refs.parent_url
    and valuesets.version = all_refs.parent_version
left join resolved
    on valuesets.url = resolved.parent_grouper_url
    and valuesets.version = resolved.parent_grouper_version
left join code_lists
    on valuesets.url = code_lists.canonical_url
    and valuesets.version = code_lists.version
