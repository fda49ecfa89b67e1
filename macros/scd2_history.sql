{#-
    scd2_history(snapshot_relation, key_column): the validity window of every version a dbt
    snapshot holds, in the source's own time. Every snapshot column, plus:

      valid_from       the source's `updated_at` of the version; the first version reaches
                       back to far_past(), so a fact older than the first load finds it
      valid_to         the next version's `updated_at`; else `deleted_at` (a soft delete) or
                       the snapshot's `dbt_valid_to` (a hard delete noticed by a build); null
                       while current
      version_number   1, 2, ... per key in valid_from order
      next_valid_from  the next version's valid_from (null for the last version)

    The version a soft delete opens starts and ends at `deleted_at`: it only closes the one
    before it, and is dropped (unless the key was first seen already deleted). The snapshot
    needs `updated_at` and `deleted_at` columns.
-#}
{% macro scd2_history(snapshot_relation, key_column) -%}
select
    kept.*,
    row_number() over (partition by {{ key_column }} order by valid_from) as version_number,
    lead(valid_from) over (partition by {{ key_column }} order by valid_from) as next_valid_from
from (
    select windowed.*
    from (
        select
            versions.*,
            case
                when snapshot_version = 1 then cast({{ far_past() }} as {{ dbt.type_timestamp() }})
                else cast(updated_at as {{ dbt.type_timestamp() }})
            end as valid_from,
            case
                when next_updated_at is not null then cast(next_updated_at as {{ dbt.type_timestamp() }})
                when deleted_at is not null then cast(deleted_at as {{ dbt.type_timestamp() }})
                when dbt_valid_to is not null then cast(dbt_valid_to as {{ dbt.type_timestamp() }})
            end as valid_to
        from (
            select
                snapshot_rows.*,
                row_number() over (
                    partition by {{ key_column }} order by dbt_valid_from
                ) as snapshot_version,
                lead(updated_at) over (
                    partition by {{ key_column }} order by dbt_valid_from
                ) as next_updated_at
            from {{ snapshot_relation }} as snapshot_rows
        ) as versions
    ) as windowed
    where not (deleted_at is not null and snapshot_version > 1 and valid_to <= valid_from)
) as kept
{%- endmacro %}

{#-
    scd2_dimension(snapshot_relation, key_column, sk_column, unknown_row): a whole SCD2
    dimension over a snapshot: one row per version from scd2_history() plus the unknown row
    that facts point at when they find no version. Columns, in order: sk_column (a hash of
    the key and valid_from), key_column, the attributes, version_number, valid_from,
    valid_to, is_current (valid_to is null), is_deleted (the key's last version is closed).

    unknown_row maps each attribute, in the dimension's column order, to its SQL in the
    unknown row (key -1, valid from far_past(), current, not deleted).
-#}
{% macro scd2_dimension(snapshot_relation, key_column, sk_column, unknown_row) -%}
{%- set ts = dbt.type_timestamp() -%}
with history as (
    {{ scd2_history(snapshot_relation, key_column) }}
),

known as (
    select
        {{ surrogate_key([key_column, 'valid_from']) }} as {{ sk_column }},
        {{ key_column }},
        {%- for column in unknown_row %}
        {{ column }},
        {%- endfor %}
        version_number,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        (next_valid_from is null and valid_to is not null) as is_deleted
    from history
),

unknown as (
    select
        {{ unknown_key() }} as {{ sk_column }},
        -1 as {{ key_column }},
        {%- for column, value in unknown_row.items() %}
        {{ value }} as {{ column }},
        {%- endfor %}
        1 as version_number,
        cast({{ far_past() }} as {{ ts }}) as valid_from,
        cast(null as {{ ts }}) as valid_to,
        true as is_current,
        false as is_deleted
)

select * from known
union all
select * from unknown
{%- endmacro %}

{#-
    versions_history(versions_relation, snapshot_relation, key_column): the validity window
    of every version of a key landed in `versions_relation` (every landed record, so history
    between two builds is kept), with the snapshot telling which keys the source dropped.
    Every version column, plus:

      version_number   1, 2, ... per key in updated_at order
      next_updated_at  the next version's updated_at (null for the last version)
      valid_from       the version's updated_at; the first version reaches back to far_past()
      valid_to         the next version's updated_at; else, for a key the snapshot closed and
                       never reopened, when the snapshot closed it; null while current
      is_deleted       the key's last version, closed because the source dropped the key
-#}
{% macro versions_history(versions_relation, snapshot_relation, key_column) -%}
{%- set ts = dbt.type_timestamp() -%}
select
        versions.*,
        case
            when version_number = 1 then cast({{ far_past() }} as {{ ts }})
            else cast(updated_at as {{ ts }})
        end as valid_from,
        case
            when next_updated_at is not null then cast(next_updated_at as {{ ts }})
            when deletions.deleted_at is not null
                then cast(deletions.deleted_at as {{ ts }})
        end as valid_to,
        (next_updated_at is null and deletions.deleted_at is not null) as is_deleted
    from (
        select
            source_versions.*,
            row_number() over (partition by {{ key_column }} order by updated_at) as version_number,
            lead(updated_at) over (partition by {{ key_column }} order by updated_at) as next_updated_at
        from {{ versions_relation }} as source_versions
    ) as versions
    left join (
        -- closed by the snapshot and never reopened: gone from the source at dbt_valid_to
        select
            {{ key_column }},
            max(dbt_valid_to) as deleted_at
        from {{ snapshot_relation }}
        group by {{ key_column }}
        having count(dbt_valid_to) = count(*)
    ) as deletions
        on versions.{{ key_column }} = deletions.{{ key_column }}
{%- endmacro %}
