-- Service delivery by month, for dashboards: reviews held, on-time rate, issues raised and
-- closed, and revenue per service, with the service's project and client (names as they are
-- now).
{{ config(materialized='view') }}

with metrics as (
    select * from {{ ref('fct_service_monthly_metrics') }}
),

services as (
    select * from {{ ref('dim_service') }}
),

current_services as (
    select * from {{ ref('dim_service') }}
    where is_current
),

projects as (
    select * from {{ ref('dim_project') }}
    where is_current
),

clients as (
    select * from {{ ref('dim_client') }}
    where is_current
)

select
    metrics.service_month_sk,
    metrics.service_id,
    metrics.month_start_date,
    coalesce(current_services.service_name, services.service_name) as service_name,
    services.service_tier,
    metrics.project_id,
    coalesce(projects.project_name, 'Unknown project') as project_name,
    coalesce(clients.client_name, 'Unknown client') as client_name,
    metrics.reviews_held,
    metrics.reviews_on_time,
    metrics.reviews_late,
    case
        when metrics.reviews_held > 0
            then round(cast(100.0 * metrics.reviews_on_time / metrics.reviews_held as {{ dbt.type_numeric() }}), 1)
    end as on_time_rate_pct,
    metrics.issues_raised,
    metrics.issues_closed,
    metrics.revenue_usd
from metrics
left join services
    on metrics.service_sk = services.service_sk
left join current_services
    on metrics.service_id = current_services.service_id
left join projects
    on metrics.project_id = projects.project_id
left join clients
    on projects.client_id = clients.client_id
