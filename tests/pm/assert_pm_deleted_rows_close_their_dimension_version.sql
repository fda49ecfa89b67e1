-- A soft-deleted row (deleted_at set) and a hard-deleted row (key gone from the source)
-- both close their dimension version: the key has no current version, its last version is
-- flagged is_deleted, and for a soft delete that version ends at deleted_at.
-- Returns each deleted key whose dimension rows disagree.
{%- set entities = [
    ('dim_client', 'client_id', 'clients'),
    ('dim_project_type', 'project_type_id', 'project_types'),
    ('dim_user', 'user_id', 'users'),
    ('dim_project', 'project_id', 'projects'),
    ('dim_service', 'service_id', 'services'),
    ('dim_review_cycle', 'review_cycle_id', 'review_cycles'),
    ('dim_issue', 'issue_id', 'issues'),
] %}

with
{%- for dim, key, table in entities %}

{{ table }}_deleted as (
    select
        '{{ dim }}' as dimension,
        {{ key }} as natural_key,
        'soft' as delete_kind,
        cast(deleted_at as {{ dbt.type_timestamp() }}) as deleted_at
    from {{ ref('stg_pm__' ~ table) }}
    where is_deleted
    union all
    select
        '{{ dim }}' as dimension,
        {{ key }} as natural_key,
        'hard' as delete_kind,
        cast(null as {{ dbt.type_timestamp() }}) as deleted_at
    from {{ ref('base_pm__' ~ table) }}
    where is_deleted_in_source
        and reject_reason is null
        and {{ key }} not in (select {{ key }} from {{ ref('stg_pm__' ~ table) }})
),

{{ table }}_versions as (
    select
        '{{ dim }}' as dimension,
        {{ key }} as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        max(case when is_deleted then valid_to end) as deleted_version_valid_to,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ ref(dim) }}
    group by {{ key }}
),
{%- endfor %}

deleted as (
    {%- for dim, key, table in entities %}
    select * from {{ table }}_deleted
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

versions as (
    {%- for dim, key, table in entities %}
    select * from {{ table }}_versions
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    deleted.dimension,
    deleted.natural_key,
    deleted.delete_kind,
    deleted.deleted_at,
    versions.current_versions,
    versions.deleted_versions,
    versions.deleted_version_valid_to
from deleted
inner join versions
    on deleted.dimension = versions.dimension
    and deleted.natural_key = versions.natural_key
where versions.current_versions <> 0
    or versions.deleted_versions <> 1
    or (deleted.delete_kind = 'soft' and versions.deleted_version_valid_to <> deleted.deleted_at)
