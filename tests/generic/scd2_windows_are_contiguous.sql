{#-
    scd2_windows_are_contiguous: on the natural key column of an SCD2 dimension (with
    `valid_from`, `valid_to`): no version's window is inverted or empty, and each version ends
    exactly where the key's next one begins (no gap, no overlap); only the last may be open.
    Returns the failing versions.
-#}
{% test scd2_windows_are_contiguous(model, column_name) %}

with versions as (
    select
        {{ column_name }} as natural_key,
        valid_from,
        valid_to,
        lead(valid_from) over (partition by {{ column_name }} order by valid_from) as next_valid_from
    from {{ model }}
)

select *
from versions
where valid_to <= valid_from
    or (next_valid_from is not null and (valid_to is null or valid_to <> next_valid_from))

{% endtest %}
