-- Bridge invariant: the allocation weights of an issue's reviews add up to 1 (within
-- floating-point rounding). Returns the issues whose weights do not.
with weights as (
    select
        issue_id,
        sum(allocation_weight) as total_weight,
        count(*) as reviews
    from {{ ref('brg_issue_review') }}
    group by issue_id
)

select *
from weights
where abs(total_weight - 1.0) > 0.000001
