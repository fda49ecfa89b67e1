-- Every landed services row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'services') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'services'
),

texts as (
    select
        {{ clean_text('cast(source.service_id as ' ~ t ~ ')') }} as service_id_text,
        {{ clean_text('cast(source.project_id as ' ~ t ~ ')') }} as project_id_text,
        {{ clean_text('cast(source.name as ' ~ t ~ ')') }} as service_name_text,
        {{ clean_text('cast(source.service_tier as ' ~ t ~ ')') }} as service_tier_text,
        {{ clean_text('cast(source.monthly_price_usd as ' ~ t ~ ')') }} as monthly_price_usd_text,
        {{ clean_text('cast(source.created_at as ' ~ t ~ ')') }} as created_at_text,
        {{ clean_text('cast(source.updated_at as ' ~ t ~ ')') }} as updated_at_text,
        {{ clean_text('cast(source.deleted_at as ' ~ t ~ ')') }} as deleted_at_text,
        source._dlt_load_id as load_id,
        {{ row_to_json_text('source') }} as raw_row
    from source
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
        exists(
            select 1 from deleted_keys
            where deleted_keys.key_value = typed.source_key
                and deleted_keys.load_id > typed.load_id
        ) as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        row_number() over (
            partition by (defect is null), service_id
            order by updated_at desc, load_id desc
        ) as version_rank
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
    load_id,
    source_key,
    {{ dbt.concat(["'services:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of a service key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
