-- SCD2 invariant: exactly one current version per member and per plan, except keys that
-- disappeared from the source (their last version is closed and flagged is_deleted).
with member_versions as (
    select
        'dim_member' as dimension,
        member_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        max(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_member') }}
    group by member_id
),

plan_versions as (
    select
        'dim_plan' as dimension,
        plan_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        max(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_plan') }}
    group by plan_id
),

all_versions as (
    select * from member_versions
    union all
    select * from plan_versions
)

select *
from all_versions
where current_versions > 1
    or (current_versions = 0 and deleted_versions = 0)
