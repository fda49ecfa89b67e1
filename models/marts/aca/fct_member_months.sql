{{ config(indexes=fact_indexes(['month_start_date', 'member_sk', 'plan_sk'])) }}

-- One row per member and calendar month with an enrollment covering any day of it, within
-- the months the claims data covers: the denominator of per-member-per-month figures.
-- Where two enrollments touch one month (a plan switch), the one that started last counts.
with enrollments as (
    select * from {{ ref('stg_aca__enrollments') }}
),

claim_lines as (
    select * from {{ ref('stg_aca__claim_lines') }}
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

claims_window as (
    select
        min(service_date) as first_service_date,
        max(service_date) as last_service_date
    from claim_lines
),

months as (
    select distinct calendar.month_start_date
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
        months.month_start_date,
        row_number() over (
            partition by enrollments.member_id, months.month_start_date
            order by enrollments.start_date desc, enrollments.enrollment_id desc
        ) as enrollment_rank
    from enrollments
    inner join months
        on enrollments.start_date < {{ dbt.dateadd('month', 1, 'months.month_start_date') }}
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
    member_months.monthly_premium_usd as premium_usd
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
