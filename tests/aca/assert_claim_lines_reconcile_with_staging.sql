-- Staged vs loaded: the claim-line fact holds exactly the usable staged claim lines, with
-- the same allowed total (nothing dropped by a join, nothing doubled).
with staged as (
    select
        count(*) as line_count,
        coalesce(sum(allowed_amount_usd), 0) as allowed_amount_usd
    from {{ ref('stg_aca__claim_lines') }}
),

loaded as (
    select
        count(*) as line_count,
        coalesce(sum(allowed_amount_usd), 0) as allowed_amount_usd
    from {{ ref('fct_claim_lines') }}
)

select
    staged.line_count as staged_line_count,
    loaded.line_count as loaded_line_count,
    staged.allowed_amount_usd as staged_allowed_amount_usd,
    loaded.allowed_amount_usd as loaded_allowed_amount_usd
from staged
cross join loaded
where staged.line_count <> loaded.line_count
    or staged.allowed_amount_usd <> loaded.allowed_amount_usd
