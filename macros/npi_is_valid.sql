{#-
    npi_is_valid(column): true when a 10-digit National Provider Identifier carries a valid
    check digit (Luhn over the 9 leading digits with the card-issuer prefix 80840, which
    adds a constant 24 to the sum). Null or malformed input gives false.
-#}
{% macro npi_is_valid(column) -%}
    case
        when {{ column }} is null or not {{ regexp_like(column, '^[0-9]{10}$') }} then false
        else (
            (
                24
                {%- for i in range(1, 10) %}
                {%- set digit = "cast(substr(" ~ column ~ ", " ~ i ~ ", 1) as integer)" %}
                {%- if i % 2 == 1 %}
                + (case when 2 * {{ digit }} > 9 then 2 * {{ digit }} - 9 else 2 * {{ digit }} end)
                {%- else %}
                + {{ digit }}
                {%- endif %}
                {%- endfor %}
            ) * 9 % 10
        ) = cast(substr({{ column }}, 10, 1) as integer)
    end
{%- endmacro %}
