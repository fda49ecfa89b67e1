-- Monthly service revenue and review punctuality per client: where the money is and
-- whether its reviews happen on time.
select
    delivery.client_name,
    delivery.month_start_date,
    sum(delivery.revenue_usd) as revenue_usd,
    sum(delivery.reviews_held) as reviews_held,
    sum(delivery.reviews_on_time) as reviews_on_time,
    case
        when sum(delivery.reviews_held) > 0
            then round(
                    cast(
                        100.0 * sum(delivery.reviews_on_time) / sum(delivery.reviews_held)
                        as {{ dbt.type_numeric() }}
                    ),
                    1
                )
    end as on_time_rate_pct
from {{ ref('mart_pm__service_delivery') }} as delivery
group by delivery.client_name, delivery.month_start_date
order by delivery.month_start_date desc, revenue_usd desc
