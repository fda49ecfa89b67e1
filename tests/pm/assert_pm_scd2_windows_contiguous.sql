-- SCD2 invariant: validity windows are never inverted or empty, and each version ends
-- exactly where the next begins (no gaps, no overlaps). Only the last version may be
-- open (valid_to null).
with versions as (
    select
        'dim_client' as dimension,
        client_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by client_id order by valid_from) as next_valid_from
    from {{ ref('dim_client') }}
    union all
    select
        'dim_project_type' as dimension,
        project_type_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by project_type_id order by valid_from) as next_valid_from
    from {{ ref('dim_project_type') }}
    union all
    select
        'dim_user' as dimension,
        user_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by user_id order by valid_from) as next_valid_from
    from {{ ref('dim_user') }}
    union all
    select
        'dim_project' as dimension,
        project_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by project_id order by valid_from) as next_valid_from
    from {{ ref('dim_project') }}
    union all
    select
        'dim_service' as dimension,
        service_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by service_id order by valid_from) as next_valid_from
    from {{ ref('dim_service') }}
    union all
    select
        'dim_review_cycle' as dimension,
        review_cycle_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by review_cycle_id order by valid_from) as next_valid_from
    from {{ ref('dim_review_cycle') }}
    union all
    select
        'dim_issue' as dimension,
        issue_id as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by issue_id order by valid_from) as next_valid_from
    from {{ ref('dim_issue') }}
)

select *
from versions
where valid_to <= valid_from
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))
