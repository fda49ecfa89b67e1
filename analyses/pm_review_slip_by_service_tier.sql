-- How late review cycles are held, by the tier the service had on the planned date:
-- held cycles, mean slip in days (negative = early) and the share held on time, plus the
-- cycles overdue now.
select
    services.service_tier,
    count(*) as review_cycles,
    sum(case when cycles.is_held then 1 else 0 end) as held_cycles,
    avg(cast(cycles.slip_days as {{ dbt.type_float() }})) as mean_slip_days,
    sum(case when cycles.is_on_time then 1 else 0 end) as held_on_time,
    sum(case when cycles.is_overdue then 1 else 0 end) as overdue_now
from {{ ref('fct_review_cycles') }} as cycles
inner join {{ ref('dim_service') }} as services
    on cycles.service_sk = services.service_sk
group by services.service_tier
order by services.service_tier
