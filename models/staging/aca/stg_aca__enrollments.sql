-- Enrollments as of the latest landed record: one row per enrollment_id, usable rows only.
with enrollments as (
    select * from {{ ref('base_aca__enrollments') }}
    where is_current_version
)

select
    enrollment_id,
    member_id,
    plan_id,
    start_date,
    end_date,
    monthly_premium_usd,
    updated_at,
    load_id
from enrollments
