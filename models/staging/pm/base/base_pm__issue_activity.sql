-- Every landed issue_activity row (completed loads), typed, with the reason it cannot be used
-- (null when usable) and whether the source has deleted the row since it landed.
{%- set t = dbt.type_string() %}

with source as (
    {{ landed('pm', 'issue_activity') }}
),

deleted_keys as (
    select * from {{ ref('stg_pm__deleted_keys') }}
    where table_name = 'issue_activity'
),

texts as (
    select
        {{ clean_text('cast(source.activity_id as ' ~ t ~ ')') }} as activity_id_text,
        {{ clean_text('cast(source.issue_id as ' ~ t ~ ')') }} as issue_id_text,
        {{ clean_text('cast(source.activity_at as ' ~ t ~ ')') }} as activity_at_text,
        {{ clean_text('cast(source.field as ' ~ t ~ ')') }} as changed_field_text,
        {{ clean_text('cast(source.old_value as ' ~ t ~ ')') }} as old_value_text,
        {{ clean_text('cast(source.new_value as ' ~ t ~ ')') }} as new_value_text,
        {{ clean_text('cast(source.created_at as ' ~ t ~ ')') }} as created_at_text,
        {{ clean_text('cast(source.updated_at as ' ~ t ~ ')') }} as updated_at_text,
        source._dlt_load_id as load_id,
        {{ row_to_json_text('source') }} as raw_row
    from source
),

typed as (
    select
        texts.*,
        {{ try_cast('activity_id_text', 'integer') }} as activity_id,
        {{ try_cast('issue_id_text', 'integer') }} as issue_id,
        {{ try_cast('activity_at_text', 'timestamp') }} as activity_at,
        lower(changed_field_text) as changed_field,
        old_value_text as old_value,
        new_value_text as new_value,
        {{ try_cast('created_at_text', 'timestamp') }} as created_at,
        {{ try_cast('updated_at_text', 'timestamp') }} as updated_at,
        activity_id_text as source_key
    from texts
    {{ evaluate_once() }}
),

checked as (
    select
        typed.*,
        case
            when activity_id is null then 'blank or unparseable activity_id'
            when updated_at is null then 'unparseable or missing updated_at'
            when issue_id is null and issue_id_text is not null then 'unparseable issue_id'
            when activity_at is null and activity_at_text is not null then 'unparseable activity_at'
            when created_at is null and created_at_text is not null then 'unparseable created_at'
            when issue_id is null then 'missing issue_id'
            when activity_at is null then 'missing activity_at'
            when changed_field is null or changed_field not in ('status', 'priority', 'assignee')
                then 'invalid changed_field'
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
            partition by (defect is null), activity_id
            order by updated_at desc, load_id desc
        ) as version_rank
    from checked
)

select
    activity_id,
    issue_id,
    activity_at,
    changed_field,
    old_value,
    new_value,
    created_at,
    updated_at,
    load_id,
    source_key,
    {{ dbt.concat(["'issue_activity:'", "coalesce(source_key, '?')"]) }} as row_key,
    raw_row,
    coalesce(
        defect,
        case when version_rank > 1 then 'older copy of an issue activity entry key in raw' end
    ) as reject_reason,
    is_deleted_in_source,
    (defect is null and version_rank = 1 and not is_deleted_in_source) as is_current_version
from ranked
