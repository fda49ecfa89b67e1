{{ config(indexes=fact_indexes(['month_start_date', 'member_sk', 'plan_sk'])) }}

-- One row per member and calendar month with an enrollment covering any day of it, within
-- the months the claims data of its source system covers (ACA files or Synthea): the
-- denominator of per-member-per-month figures.
-- Where two enrollments touch one month (a plan switch), the one that started last counts.
with aca_enrollments as (
    select * from {{ ref('stg_aca__enrollments') }}
),

synthea_enrollments as (
    select * from {{ ref('stg_synthea__enrollments') }}
),

aca_claim_lines as (
    select * from {{ ref('stg_aca__claim_lines') }}
),

synthea_claim_lines as (
    select * from {{ ref('stg_synthea__claim_lines') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

members as (
    select * from {{ ref('dim_member') }}
),

plans as (
    select * from {{ ref('dim_plan') }}
),

enrollments as (
    -- the two source systems' enrollments (ids cannot collide: Synthea's carry `synthea:`)
    select
        enrollment_id,
        member_id,
        plan_id,
        start_date,
        end_date,
        monthly_premium_usd,
        'aca_csv' as source_system
    from aca_enrollments
    union all
    select
        enrollment_id,
        member_id,
        plan_id,
        start_date,
        end_date,
        monthly_premium_usd,
        source_system
    from synthea_enrollments
),

claim_lines as (
    select
        service_date,
        'aca_csv' as source_system
    from aca_claim_lines
    union all
    select
        service_date,
        source_system
    from synthea_claim_lines
),

claims_window as (
    -- each source system's own claims window: one system's claims never widen the other's
    select
        source_system,
        min(service_date) as first_service_date,
        max(service_date) as last_service_date
    from claim_lines
    group by source_system
),

months as (
    select distinct
        claims_window.source_system,
        calendar.month_start_date
    from calendar
    inner join claims_window
        on calendar.date_day >= claims_window.first_service_date
        and calendar.date_day <= claims_window.last_service_date
),

enrolled_months as (
    select
        enrollments.member_id,
        enrollments.plan_id,
        enrollments.enrollment_id,
        enrollments.monthly_premium_usd,
        enrollments.source_system,
        months.month_start_date,
        row_number() over (
            partition by enrollments.member_id, months.month_start_date
            order by enrollments.start_date desc, enrollments.enrollment_id desc
        ) as enrollment_rank
    from enrollments
    inner join months
        on enrollments.source_system = months.source_system
        and enrollments.start_date < {{ dbt.dateadd('month', 1, 'months.month_start_date') }}
        and coalesce(enrollments.end_date, {{ far_future() }}) >= months.month_start_date
),

member_months as (
    select * from enrolled_months
    where enrollment_rank = 1
)

select
    {{ surrogate_key(['member_months.member_id', 'member_months.month_start_date']) }} as member_month_sk,
    member_months.member_id,
    member_months.month_start_date,
    coalesce(members.member_sk, {{ unknown_key() }}) as member_sk,
    coalesce(plans.plan_sk, {{ unknown_key() }}) as plan_sk,
    member_months.plan_id,
    member_months.enrollment_id,
    member_months.monthly_premium_usd as premium_usd,
    member_months.source_system
from member_months
left join members
    on member_months.member_id = members.member_id
    and member_months.month_start_date >= members.valid_from
    and member_months.month_start_date < coalesce(members.valid_to, {{ far_future() }})
    and members.member_sk <> {{ unknown_key() }}
left join plans
    on member_months.plan_id = plans.plan_id
    and member_months.month_start_date >= plans.valid_from
    and member_months.month_start_date < coalesce(plans.valid_to, {{ far_future() }})
    and plans.plan_sk <> {{ unknown_key() }}
