{#-
    iso8601_utc(expression): an ISO-8601 / FHIR dateTime text as a UTC timestamp, null
    where the text does not parse. Accepted: `YYYY-MM-DD` (midnight), and
    `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z`, an offset `+hh:mm` / `-hh:mm`, or
    nothing (read as UTC). `2024-10-13T10:59:38-08:00` becomes `2024-10-13 18:59:38`.
    Fractions beyond microseconds are cut. Built on `try_cast`, so impossible dates
    (month 13) give null on every engine instead of an error.

    iso8601_is_valid(expression): true where the text has that shape and parses.
-#}
{% macro iso8601_shape() -%}
^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$
{%- endmacro %}

{% macro iso8601_utc(expression) -%}
    {%- set local_part = warehouse.regexp_substr(
        expression,
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?)?'
    ) -%}
    {%- set offset_part = warehouse.regexp_substr(expression, '[+-][0-9]{2}:[0-9]{2}$') -%}
    case when {{ warehouse.regexp_like(expression, warehouse.iso8601_shape()) }} then
        {{ dbt.dateadd(
            'minute',
            "-1 * coalesce(
                (case when substr(" ~ offset_part ~ ", 1, 1) = '-' then -1 else 1 end)
                * (cast(substr(" ~ offset_part ~ ", 2, 2) as integer) * 60
                   + cast(substr(" ~ offset_part ~ ", 5, 2) as integer)),
                0)",
            warehouse.try_cast(local_part, 'timestamp')
        ) }}
    end
{%- endmacro %}
