-- Claims by the county members lived in on the day of service (point-in-time), which
-- differs from today's county for members who moved.
select
    geography.state_code,
    geography.county_name,
    count(*) as claim_line_count,
    sum(claims.allowed_amount_usd) as allowed_amount_usd
from {{ ref('fct_claim_lines') }} as claims
inner join {{ ref('dim_geography') }} as geography
    on claims.geography_sk = geography.geography_sk
group by geography.state_code, geography.county_name
order by allowed_amount_usd desc
