-- The NO_MATCH row exists as "Unmapped (NoMatch)", every no-match fact points to it, and
-- only no-match facts or facts without an NCIt id do. Returns the offending rows.
{{ config(tags=['clinical']) }}

with facts as (
    select * from {{ ref('fct_service_request') }}
),

no_match_rows as (
    select * from {{ ref('dim_ncit') }}
    where ncit_sk = 'NO_MATCH'
),

missing_sentinel as (
    select
        'NO_MATCH row missing or misnamed' as problem,
        cast(null as {{ dbt.type_string() }}) as service_request_id,
        cast(null as {{ dbt.type_string() }}) as ncit_sk
    where not exists (
            select 1 from no_match_rows
            where ncit_id = 'NO_MATCH' and preferred_name = 'Unmapped (NoMatch)' and is_sentinel
        )
),

misrouted as (
    select
        case
            when mapping_state = 'no_match' then 'no-match fact not on NO_MATCH'
            else 'matched fact with an NCIt id on NO_MATCH'
        end as problem,
        service_request_id,
        ncit_sk
    from facts
    where (mapping_state = 'no_match' and ncit_sk <> 'NO_MATCH')
        or (mapping_state <> 'no_match' and ncit_id is not null and ncit_sk = 'NO_MATCH')
)

select * from missing_sentinel
union all
select * from misrouted
