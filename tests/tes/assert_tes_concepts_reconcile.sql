-- Counts reconcile: every concept landed for a current ValueSet is either a usable code or a
-- rejected row, per ValueSet version.
with current_valuesets as (
    select * from {{ ref('base_tes__valuesets') }}
    where is_current_version
),

concepts as (
    select * from {{ ref('base_tes__valueset_concepts') }}
),

landed as (
    select
        current_valuesets.url,
        current_valuesets.version,
        count(concepts.row_key) as landed_concepts,
        sum(case when concepts.reject_reason is not null then 1 else 0 end) as rejected_concepts
    from current_valuesets
    left join concepts
        on current_valuesets.load_id = concepts.load_id
        and current_valuesets.source_file = concepts.source_file
        and current_valuesets.source_row_number = concepts.valueset_row_number
    group by current_valuesets.url, current_valuesets.version
),

used as (
    select
        valueset_url,
        valueset_version,
        count(*) as used_codes
    from {{ ref('stg_tes__valueset_codes') }}
    group by valueset_url, valueset_version
)

select
    landed.url,
    landed.version,
    landed.landed_concepts,
    landed.rejected_concepts,
    coalesce(used.used_codes, 0) as used_codes
from landed
left join used
    on landed.url = used.valueset_url
    and landed.version = used.valueset_version
where landed.landed_concepts <> coalesce(landed.rejected_concepts, 0) + coalesce(used.used_codes, 0)
