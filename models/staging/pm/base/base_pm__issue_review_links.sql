-- Every landed issue_review_links row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'issue_review_links') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'issue_review_links'
),

texts as (
    select
        {{ clean_text('cast(source.issue_id as ' ~ t ~ ')') }} as issue_id_text,
        {{ clean_text('cast(source.service_review_id as ' ~ t ~ ')') }} as service_review_id_text,
        {{ clean_text('cast(source.link_type as ' ~ t ~ ')') }} as link_type_text,
        {{ clean_text('cast(source.created_at as ' ~ t ~ ')') }} as created_at_text,
        {{ clean_text('cast(source.updated_at as ' ~ t ~ ')') }} as updated_at_text,
        source._dlt_load_id as load_id,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

typed as (
    select
        texts.*,
        {{ try_cast('issue_id_text', 'integer') }} as issue_id,
        {{ try_cast('service_review_id_text', 'integer') }} as service_review_id,
        lower(link_type_text) as link_type,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        {{ dbt.concat(['issue_id_text', "'|'", 'service_review_id_text']) }} as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when issue_id is null then 'blank or unparseable issue_id'
            when service_review_id is null then 'blank or unparseable service_review_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when link_type is null or link_type not in ('raised', 'checked') then 'invalid link_type'
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
            partition by (defect is null), issue_id, service_review_id
            order by updated_at desc, load_id desc
        ) as version_rank
    from checked
)

select
    issue_id,
    service_review_id,
    link_type,
    created_at,
    updated_at,
    load_id,
    source_key,
    {{ dbt.concat(["'issue_review_links:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of an issue-review link key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
