-- One row per review cycle (soft-deleted cycles excluded): planned against actual date, the
-- slip in days, the reviews held and the issues they raised or checked. The planned date is
-- the current one (after any rescheduling); `first_planned_date` is the planned date of the
-- first version the warehouse saw.
{{ config(indexes=fact_indexes(['planned_date', 'review_cycle_sk', 'service_sk', 'project_sk'])) }}
with cycles as (
    select * from {{ ref('stg_pm__review_cycles') }}
    where not is_deleted
),

reviews as (
    select * from {{ ref('stg_pm__service_reviews') }}
    where not is_deleted
),

links as (
    select * from {{ ref('stg_pm__issue_review_links') }}
),

issues as (
    select * from {{ ref('stg_pm__issues') }}
    where not is_deleted
),

clock as (
    select * from {{ ref('stg_pm__source_clock') }}
),

cycle_versions as (
    select * from {{ ref('dim_review_cycle') }}
),

services as (
    select * from {{ ref('dim_service') }}
),

projects as (
    select * from {{ ref('dim_project') }}
),

review_counts as (
    select
        review_cycle_id,
        count(*) as reviews_held,
        min(held_at) as first_held_at,
        avg(cast(score as {{ dbt.type_numeric() }})) as mean_review_score
    from reviews
    group by review_cycle_id
),

issue_counts as (
    select
        reviews.review_cycle_id,
        count(distinct case when links.link_type = 'raised' then links.issue_id end) as issues_raised,
        count(distinct case when links.link_type = 'checked' then links.issue_id end) as issues_checked
    from links
    inner join reviews
        on links.service_review_id = reviews.service_review_id
    inner join issues
        on links.issue_id = issues.issue_id
    group by reviews.review_cycle_id
),

first_plans as (
    select
        review_cycle_id,
        planned_date as first_planned_date
    from cycle_versions
    where version_number = 1
        and review_cycle_sk <> {{ unknown_key() }}
),

joined as (
    select
        cycles.*,
        clock.as_of_date,
        first_plans.first_planned_date,
        coalesce(review_counts.reviews_held, 0) as reviews_held,
        review_counts.first_held_at,
        review_counts.mean_review_score,
        coalesce(issue_counts.issues_raised, 0) as issues_raised,
        coalesce(issue_counts.issues_checked, 0) as issues_checked,
        coalesce(cycle_versions.review_cycle_sk, {{ unknown_key() }}) as review_cycle_sk,
        coalesce(services.service_sk, {{ unknown_key() }}) as service_sk,
        services.project_id,
        coalesce(projects.project_sk, {{ unknown_key() }}) as project_sk
    from cycles
    cross join clock
    left join first_plans
        on cycles.review_cycle_id = first_plans.review_cycle_id
    left join review_counts
        on cycles.review_cycle_id = review_counts.review_cycle_id
    left join issue_counts
        on cycles.review_cycle_id = issue_counts.review_cycle_id
    left join cycle_versions
        on cycles.review_cycle_id = cycle_versions.review_cycle_id
        and cycle_versions.is_current
        and cycle_versions.review_cycle_sk <> {{ unknown_key() }}
    left join services
        on cycles.service_id = services.service_id
        and services.valid_from <= cycles.planned_date
        and coalesce(services.valid_to, {{ far_future() }}) > cycles.planned_date
        and services.service_sk <> {{ unknown_key() }}
    left join projects
        on services.project_id = projects.project_id
        and projects.valid_from <= cycles.planned_date
        and coalesce(projects.valid_to, {{ far_future() }}) > cycles.planned_date
        and projects.project_sk <> {{ unknown_key() }}
)

select
    {{ surrogate_key(['review_cycle_id']) }} as review_cycle_fact_sk,
    review_cycle_id,
    review_cycle_sk,
    service_sk,
    project_sk,
    service_id,
    project_id,
    cycle_name,
    cycle_status,
    first_planned_date,
    planned_date,
    actual_date,
    -- day counts as bigint on every engine (PostgreSQL's date difference is an integer)
    cast(case
        when actual_date is not null then {{ dbt.datediff('planned_date', 'actual_date', 'day') }}
    end as bigint) as slip_days,
    actual_date is not null as is_held,
    (actual_date is not null and actual_date <= planned_date) as is_on_time,
    (cycle_status = 'planned' and planned_date < as_of_date) as is_overdue,
    cast(case
        when cycle_status = 'planned' and planned_date < as_of_date
            then {{ dbt.datediff('planned_date', 'as_of_date', 'day') }}
        else 0
    end as bigint) as days_overdue,
    reviews_held,
    first_held_at,
    cast(round(mean_review_score, 2) as decimal(28, 2)) as mean_review_score,
    issues_raised,
    issues_checked
from joined
