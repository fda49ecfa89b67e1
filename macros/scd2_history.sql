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
