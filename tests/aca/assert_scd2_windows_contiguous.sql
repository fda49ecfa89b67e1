-- SCD2 invariant: validity windows are never inverted, and each version ends exactly where
-- the next begins (no gaps, no overlaps). Only the last version may be open (valid_to null).
with versions as (
    select
        'dim_member' as dimension,
        member_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by member_id order by valid_from) as next_valid_from
    from {{ ref('dim_member') }}
    union all
    select
        'dim_plan' as dimension,
        plan_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by plan_id order by valid_from) as next_valid_from
    from {{ ref('dim_plan') }}
)

select *
from versions
where valid_to <= valid_from
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
