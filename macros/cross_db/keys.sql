{#- surrogate_key(['a', 'b']): an md5 over the natural key, nulls made explicit, portable via dbt.hash. -#}
{% macro surrogate_key(fields) -%}
    {%- set parts = [] -%}
    {%- for f in fields -%}
        {%- do parts.append("coalesce(cast(" ~ f ~ " as " ~ dbt.type_string() ~ "), '_null_')") -%}
        {%- if not loop.last %}{%- do parts.append("'|'") -%}{% endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(parts)) }}
{%- endmacro %}

{#- The key every dimension's "unknown" row carries; facts that match nothing point to it. -#}
{% macro unknown_key() -%}
    '-1'
{%- endmacro %}

{#- The open end of a validity window, for point-in-time joins: coalesce(valid_to, far_future()). -#}
{% macro far_future() -%}
    cast('9999-12-31' as date)
{%- endmacro %}

{#- The beginning of time, for the first version of an SCD2 dimension row. -#}
{% macro far_past() -%}
    cast('1900-01-01' as date)
{%- endmacro %}
