-- Every landed issue_review_links row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.

with source as (
    {{ landed('pm', 'issue_review_links') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'issue_review_links'
),

texts as (
    {{ pm_texts([
        'issue_id', 'service_review_id', 'link_type', 'created_at', 'updated_at',
    ]) }}
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
        {{ pm_deleted_in_source('typed') }} as is_deleted_in_source
    from typed
),

ranked as (
    select
        checked.*,
        {{ pm_version_rank(['issue_id', 'service_review_id']) }} as version_rank
    from checked
)

select
    issue_id,
    service_review_id,
    link_type,
    created_at,
    updated_at,
    {{ pm_row_tail('issue_review_links', 'an issue-review link') }}
from ranked
