-- SCD2 invariant: exactly one current version per key in every project-management dimension,
-- except keys the source deleted (their last version is closed and flagged is_deleted).
with
dim_client_versions as (
    select
        'dim_client' as dimension,
        client_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_client') }}
    group by client_id
),

dim_project_type_versions as (
    select
        'dim_project_type' as dimension,
        project_type_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_project_type') }}
    group by project_type_id
),

dim_user_versions as (
    select
        'dim_user' as dimension,
        user_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_user') }}
    group by user_id
),

dim_project_versions as (
    select
        'dim_project' as dimension,
        project_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_project') }}
    group by project_id
),

dim_service_versions as (
    select
        'dim_service' as dimension,
        service_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_service') }}
    group by service_id
),

dim_review_cycle_versions as (
    select
        'dim_review_cycle' as dimension,
        review_cycle_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_review_cycle') }}
    group by review_cycle_id
),

dim_issue_versions as (
    select
        'dim_issue' as dimension,
        issue_id as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref('dim_issue') }}
    group by issue_id
),

all_versions as (
    select * from dim_client_versions
    union all
    select * from dim_project_type_versions
    union all
    select * from dim_user_versions
    union all
    select * from dim_project_versions
    union all
    select * from dim_service_versions
    union all
    select * from dim_review_cycle_versions
    union all
    select * from dim_issue_versions
)

select *
from all_versions
where current_versions > 1
    or (current_versions = 0 and deleted_versions <> 1)
    or (current_versions = 1 and deleted_versions > 0)
