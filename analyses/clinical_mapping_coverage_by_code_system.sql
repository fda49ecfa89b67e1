-- Share of request codes auto-mapped, needing review and unmatched, per code system.
select
    codes.code_system_name,
    count(*) as request_code_count,
    sum(case when facts.mapping_state = 'auto_mapped' then 1 else 0 end) as auto_mapped,
    sum(case when facts.mapping_state = 'needs_review' then 1 else 0 end) as needs_review,
    sum(case when facts.mapping_state = 'no_match' then 1 else 0 end) as no_match,
    round(cast(
        avg(case when facts.mapping_state = 'auto_mapped' then 1.0 else 0.0 end)
        as {{ dbt.type_numeric() }}
    ), 3) as auto_mapped_share
from {{ ref('fct_service_request') }} as facts
inner join {{ ref('dim_code') }} as codes
    on facts.code_sk = codes.code_sk
group by codes.code_system_name
order by request_code_count desc
