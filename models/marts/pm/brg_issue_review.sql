-- Bridge between issues and the service reviews that raised or checked them (many to
-- many): one row per issue and review, with an allocation weight of 1 / (number of reviews
-- linked to the issue), so that measures spread over an issue's reviews add up to the
-- issue's once. Soft-deleted issues and reviews are left out.
{{ config(indexes=fact_indexes(['issue_sk', 'review_cycle_sk', 'review_held_at'])) }}
with links as (
    select * from {{ ref('stg_pm__issue_review_links') }}
),

issues as (
    select * from {{ ref('stg_pm__issues') }}
    where not is_deleted
),

reviews as (
    select * from {{ ref('stg_pm__service_reviews') }}
    where not is_deleted
),

issue_versions as (
    select * from {{ ref('dim_issue') }}
    where is_current
),

cycle_versions as (
    select * from {{ ref('dim_review_cycle') }}
    where is_current
),

live_links as (
    select
        links.issue_id,
        links.service_review_id,
        links.link_type,
        reviews.review_cycle_id,
        reviews.held_at as review_held_at,
        count(*) over (partition by links.issue_id) as reviews_linked
    from links
    inner join issues
        on links.issue_id = issues.issue_id
    inner join reviews
        on links.service_review_id = reviews.service_review_id
)

select
    {{ surrogate_key(['live_links.issue_id', 'live_links.service_review_id']) }} as issue_review_sk,
    live_links.issue_id,
    live_links.service_review_id,
    live_links.review_cycle_id,
    coalesce(issue_versions.issue_sk, {{ unknown_key() }}) as issue_sk,
    coalesce(cycle_versions.review_cycle_sk, {{ unknown_key() }}) as review_cycle_sk,
    live_links.link_type,
    live_links.review_held_at,
    live_links.reviews_linked,
    1.0 / cast(live_links.reviews_linked as {{ type_double() }}) as allocation_weight
from live_links
left join issue_versions
    on live_links.issue_id = issue_versions.issue_id
    and issue_versions.issue_sk <> {{ unknown_key() }}
left join cycle_versions
    on live_links.review_cycle_id = cycle_versions.review_cycle_id
    and cycle_versions.review_cycle_sk <> {{ unknown_key() }}
