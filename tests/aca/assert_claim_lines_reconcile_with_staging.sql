-- Staged vs loaded, per source system: the claim-line fact holds exactly the usable staged
-- claim lines of the ACA files and of Synthea, with the same allowed totals (nothing dropped
-- by a join, nothing doubled, no line counted under the other system).
with aca_lines as (
    select * from {{ ref('stg_aca__claim_lines') }}
),

synthea_lines as (
    select * from {{ ref('stg_synthea__claim_lines') }}
),

staged_lines as (
    select
        'aca_csv' as source_system,
        allowed_amount_usd
    from aca_lines
    union all
    select
        source_system,
        allowed_amount_usd
    from synthea_lines
),

staged as (
    select
        source_system,
        count(*) as line_count,
        coalesce(sum(allowed_amount_usd), 0) as allowed_amount_usd
    from staged_lines
    group by source_system
),

loaded as (
    select
        source_system,
        count(*) as line_count,
        coalesce(sum(allowed_amount_usd), 0) as allowed_amount_usd
    from {{ ref('fct_claim_lines') }}
    group by source_system
)

select
    coalesce(staged.source_system, loaded.source_system) as source_system,
    staged.line_count as staged_line_count,
    loaded.line_count as loaded_line_count,
    staged.allowed_amount_usd as staged_allowed_amount_usd,
    loaded.allowed_amount_usd as loaded_allowed_amount_usd
from staged
full outer join loaded
    on staged.source_system = loaded.source_system
where staged.line_count is null
    or loaded.line_count is null
    or staged.line_count <> loaded.line_count
    or staged.allowed_amount_usd <> loaded.allowed_amount_usd
