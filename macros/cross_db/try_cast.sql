{#-
    try_cast(expression, type): the value as `type`, or null where it cannot be converted.

    Engines disagree about what they accept (PostgreSQL parses `Jan 5 2025` as a date,
    DuckDB does not), so text is first checked against one strict shape per type; the same
    input then gives the same result everywhere. Types: date, timestamp, integer, bigint,
    numeric / decimal(p,s), double, boolean, text.

    A UTC offset (`+00`, `+00:00`, `Z`, as timestamps with a zone print) is accepted; other
    offsets are not (the engines would disagree on the instant).

    Out of range is null on every engine too: year 0000 (DuckDB reads it as 1 BC, PostgreSQL
    refuses it), an integer beyond 32 bits, a decimal with more integer digits than p - s
    (PostgreSQL would fail the whole statement with "numeric field overflow").
-#}
{% macro try_cast(expression, type) -%}
    {%- set kind = type | lower | trim -%}
    {%- set shape = warehouse.try_cast_shape(kind) -%}
    {%- if shape is none -%}
        {{ adapter.dispatch('try_cast_raw', 'warehouse')(expression, type) }}
    {%- else -%}
        case when {{ warehouse.regexp_like(expression, shape) }}
            then {{ adapter.dispatch('try_cast_raw', 'warehouse')(expression, type) }}
        end
    {%- endif -%}
{%- endmacro %}

{#-
    Months 01-12, days 01-31, hours 00-23, minutes and seconds 00-59: what is left for the
    engine's own cast to refuse is a day past the month's end (2025-02-30) and a number out
    of the type's range. `24:00` and second `60` are refused everywhere (DuckDB reads only
    the first, PostgreSQL both).
-#}
{% macro try_cast_shape(kind) -%}
    {%- set year = '([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])' -%}
    {%- set day = year ~ '-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])' -%}
    {%- set time = '([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?' -%}
    {%- if kind == 'date' -%}
        {{ return('^' ~ day ~ '$') }}
    {%- elif kind.startswith('timestamp') -%}
        {{ return('^' ~ day ~ '([ T]' ~ time ~ '([+]00(:?00)?|Z)?)?$') }}
    {%- elif kind in ('integer', 'int', 'bigint', 'smallint') -%}
        {{ return('^[+-]?[0-9]{1,18}$') }}
    {%- elif kind.startswith('numeric') or kind.startswith('decimal') or kind in ('double', 'float', 'double precision') -%}
        {{ return('^[+-]?([0-9]{1,15}([.][0-9]*)?|[.][0-9]+)$') }}
    {%- elif kind == 'boolean' -%}
        {{ return('^(true|false|t|f|yes|no|y|n|1|0)$') }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{%- endmacro %}

{% macro default__try_cast_raw(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}

{% macro duckdb__try_cast_raw(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#-
    PostgreSQL has no try_cast. Behind the shape check only two failures are left, and plain
    expressions catch both: a day past the month's end (day one of the month plus the days
    must stay in the month) and a number beyond the type's range. No function and no
    exception block (a subtransaction per value, which a parallel worker cannot start), so
    the cast is correct in parallel plans and PostgreSQL evaluates it inline.
-#}
{% macro postgres__try_cast_raw(expression, type) -%}
    {%- set kind = type | lower | trim -%}
    {%- if kind == 'date' or kind.startswith('timestamp') -%}
        case when extract(month from cast(left({{ expression }}, 8) || '01' as date)
                + (cast(substr({{ expression }}, 9, 2) as integer) - 1))
            = cast(substr({{ expression }}, 6, 2) as integer)
            then cast({{ expression }} as {{ type }})
        end
    {%- elif kind in ('integer', 'int', 'smallint') -%}
        {%- set bound = 2147483647 if kind != 'smallint' else 32767 -%}
        cast(case when cast({{ expression }} as bigint) between {{ -bound - 1 }} and {{ bound }}
            then {{ expression }} end as {{ type }})
    {%- elif kind.startswith('numeric') or kind.startswith('decimal') -%}
        {%- set ps = modules.re.match('^(?:numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)$', kind) -%}
        {%- if ps -%}
        {%- set scale = (ps.group(2) or 0) | int -%}
        {#- numeric(p, s) rounds to s places and fails once the rounded value has p - s digits -#}
        case when round(abs(cast({{ expression }} as numeric)), {{ scale }})
                < 1{{ '0' * (ps.group(1) | int - scale) }}
            then cast({{ expression }} as {{ type }})
        end
        {%- else -%}
        cast({{ expression }} as {{ type }})
        {%- endif -%}
    {%- elif kind in ('double', 'float') -%}
        cast({{ expression }} as double precision)
    {%- else -%}
        cast({{ expression }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{#- Spark 3.4+: try_cast gives null where the value does not convert (also with ANSI mode on). -#}
{% macro spark__try_cast_raw(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}
