-- Every landed clients row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'clients') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'clients'
),

texts as (
    {{ pm_texts([
        'client_id', 'name as client_name', 'industry', 'country_code', 'created_at',
        'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('client_id_text', 'integer') }} as client_id,
        client_name_text as client_name,
        industry_text as industry,
        upper(country_code_text) as country_code,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        client_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when client_id is null then 'blank or unparseable client_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when client_name is null then 'missing client_name'
            when industry is null then 'missing industry'
            when country_code is null or not {{ regexp_like('country_code', '^[A-Z]{2}$') }} then 'invalid country_code'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['client_id']) }} as version_rank
    from checked
)

select
    client_id,
    client_name,
    industry,
    country_code,
    created_at,
    updated_at,
    deleted_at,
    {{ pm_row_tail('clients', 'a client') }}
from ranked
