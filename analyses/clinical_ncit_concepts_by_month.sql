-- Service requests per NCIt concept and month ordered (mapped results only).
select
    {{ dbt.date_trunc('month', 'facts.ordered_at') }} as ordered_month,
    concepts.ncit_id,
    concepts.preferred_name,
    count(distinct facts.service_request_id) as service_request_count
from {{ ref('fct_service_request') }} as facts
inner join {{ ref('dim_ncit') }} as concepts
    on facts.ncit_sk = concepts.ncit_sk
where not concepts.is_sentinel
group by 1, 2, 3
order by 1, 4 desc
