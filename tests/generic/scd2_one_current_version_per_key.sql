{#-
    scd2_one_current_version_per_key: on the natural key column of an SCD2 dimension (with
    `is_current`, `is_deleted`): every key has exactly one current version, except a key the
    source deleted, which has none and exactly one version flagged `is_deleted` (its last).
    Returns the failing keys with their counts.
-#}
{% test scd2_one_current_version_per_key(model, column_name) %}

with versions as (
    select
        {{ column_name }} as natural_key,
        sum(case when is_current then 1 else 0 end) as current_versions,
        sum(case when is_deleted then 1 else 0 end) as deleted_versions
    from {{ model }}
    group by {{ column_name }}
)

select *
from versions
where current_versions > 1
    or (current_versions = 0 and deleted_versions <> 1)
    or (current_versions = 1 and deleted_versions > 0)

{% endtest %}
