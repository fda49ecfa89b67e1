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

{% macro try_cast_shape(kind) -%}
    {%- set year = '([1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])' -%}
    {%- if kind == 'date' -%}
        {{ return('^' ~ year ~ '-[0-9]{2}-[0-9]{2}$') }}
    {%- elif kind.startswith('timestamp') -%}
        {{ return('^' ~ year ~ '-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?)?([+]00(:?00)?|Z)?$') }}
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

{#- PostgreSQL has no try_cast: functions created by `create_try_cast_functions` (on-run-start) catch the error. -#}
{% macro postgres__try_cast_raw(expression, type) -%}
    {%- set kind = type | lower | trim -%}
    {%- if kind == 'date' -%}
        {{ warehouse.udf_schema() }}.try_cast_date({{ expression }})
    {%- elif kind.startswith('timestamp') -%}
        {{ warehouse.udf_schema() }}.try_cast_timestamp({{ expression }})
    {%- elif kind in ('integer', 'int') -%}
        {{ warehouse.udf_schema() }}.try_cast_integer({{ expression }})
    {%- elif kind == 'smallint' -%}
        {{ warehouse.udf_schema() }}.try_cast_smallint({{ expression }})
    {%- elif kind == 'bigint' -%}
        {{ warehouse.udf_schema() }}.try_cast_bigint({{ expression }})
    {%- elif kind.startswith('numeric') or kind.startswith('decimal') -%}
        {%- set ps = modules.re.match('^(?:numeric|decimal)\\s*\\(\\s*(\\d+)\\s*(?:,\\s*(\\d+)\\s*)?\\)$', kind) -%}
        {%- if ps -%}
        cast({{ warehouse.udf_schema() }}.try_cast_decimal({{ expression }}, {{ ps.group(1) }}, {{ ps.group(2) or 0 }}) as {{ type }})
        {%- else -%}
        cast({{ warehouse.udf_schema() }}.try_cast_numeric({{ expression }}) as {{ type }})
        {%- endif -%}
    {%- elif kind in ('double', 'float', 'double precision') -%}
        cast({{ warehouse.udf_schema() }}.try_cast_numeric({{ expression }}) as double precision)
    {%- elif kind == 'boolean' -%}
        {{ warehouse.udf_schema() }}.try_cast_boolean({{ expression }})
    {%- else -%}
        cast({{ expression }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro udf_schema() -%}
    {{ generate_schema_name('staging', none) }}
{%- endmacro %}

{#- on-run-start: create the PostgreSQL helper functions (idempotent; nothing on other engines). -#}
{% macro create_try_cast_functions() -%}
    {{ return(adapter.dispatch('create_try_cast_functions', 'warehouse')()) }}
{%- endmacro %}

{% macro default__create_try_cast_functions() -%}
    select 1
{%- endmacro %}

{% macro postgres__create_try_cast_functions() -%}
    {%- set s = warehouse.udf_schema() -%}
    create schema if not exists {{ s }};
    {%- for name, rtype in [('date', 'date'), ('timestamp', 'timestamp'), ('smallint', 'smallint'), ('integer', 'integer'), ('bigint', 'bigint'), ('numeric', 'numeric'), ('boolean', 'boolean')] %}
    create or replace function {{ s }}.try_cast_{{ name }}(v text) returns {{ rtype }}
    language plpgsql immutable parallel safe as $fn$
    begin
        return v::{{ rtype }};
    exception when others then
        return null;
    end
    $fn$;
    {%- endfor %}
    {#- numeric(p, s) as the cast would round it, or null where it would overflow -#}
    create or replace function {{ s }}.try_cast_decimal(v text, p integer, sc integer) returns numeric
    language plpgsql immutable parallel safe as $fn$
    declare
        n numeric;
    begin
        n := round(v::numeric, sc);
        if abs(n) >= power(10::numeric, p - sc) then
            return null;
        end if;
        return n;
    exception when others then
        return null;
    end
    $fn$;
{%- endmacro %}

{#- Spark 3.4+: try_cast gives null where the value does not convert (also with ANSI mode on). -#}
{% macro spark__try_cast_raw(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}
