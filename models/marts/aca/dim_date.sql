-- One row per calendar day between the project's calendar_start_date and calendar_end_date.
with days as (
    {{ dbt.date_spine(
        datepart='day',
        start_date="cast('" ~ var('calendar_start_date') ~ "' as date)",
        end_date="cast('" ~ var('calendar_end_date') ~ "' as date)"
    ) }}
),

calendar as (
    select cast(date_day as date) as date_day
    from days
)

select
    date_day,
    cast(extract(year from date_day) as integer) * 10000
    + cast(extract(month from date_day) as integer) * 100
    + cast(extract(day from date_day) as integer) as date_key,
    cast(extract(year from date_day) as integer) as calendar_year,
    cast(extract(quarter from date_day) as integer) as calendar_quarter,
    cast(extract(month from date_day) as integer) as calendar_month,
    cast(extract(day from date_day) as integer) as day_of_month,
    {{ day_of_week('date_day') }} as day_of_week,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
    cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
    {{ day_of_week('date_day') }} in (0, 6) as is_weekend
from calendar
