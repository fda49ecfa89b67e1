-- Every landed services row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'services') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'services'
),

texts as (
    {{ pm_texts([
        'service_id', 'project_id', 'name as service_name', 'service_tier', 'monthly_price_usd',
        'created_at', 'updated_at', 'deleted_at',
    ]) }}
),

typed as (
    select
        texts.*,
        {{ try_cast('service_id_text', 'integer') }} as service_id,
        {{ try_cast('project_id_text', 'integer') }} as project_id,
        service_name_text as service_name,
        lower(service_tier_text) as service_tier,
        {{ try_cast('monthly_price_usd_text', 'decimal(12, 2)') }} as monthly_price_usd,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ try_cast('deleted_at_text', 'timestamp') }} as deleted_at,
        service_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when service_id is null then 'blank or unparseable service_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when project_id is null and project_id_text is not null then 'unparseable project_id'
            when monthly_price_usd is null and monthly_price_usd_text is not null then 'unparseable monthly_price_usd'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when deleted_at is null and deleted_at_text is not null then 'unparseable deleted_at'
            when project_id is null then 'missing project_id'
            when service_name is null then 'missing service_name'
            when monthly_price_usd is null then 'missing monthly_price_usd'
            when service_tier is null or service_tier not in ('bronze', 'silver', 'gold', 'platinum')
                then 'invalid service_tier'
            when monthly_price_usd < 0 then 'negative monthly_price_usd'
        end as defect,
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['service_id']) }} as version_rank
    from checked
)

select
    service_id,
    project_id,
    service_name,
    service_tier,
    monthly_price_usd,
    created_at,
    updated_at,
    deleted_at,
    {{ pm_row_tail('services', 'a service') }}
from ranked
