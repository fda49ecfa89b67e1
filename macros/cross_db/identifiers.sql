{#-
    safe_identifier(value, what): `value` when it is a plain SQL identifier (letters, digits
    and underscores, starting with a letter or underscore, at most 63 characters); otherwise
    the run stops with a message naming the setting. Guards names that reach SQL unquoted
    from configuration, such as the analyst role and the mart schemas (dbt vars).
-#}
{% macro safe_identifier(value, what) -%}
    {%- if value is not string or not modules.re.match('^[A-Za-z_][A-Za-z0-9_]{0,62}$', value) -%}
        {{ exceptions.raise_compiler_error(
            what ~ " " ~ (value | string | tojson) ~ " is not a valid identifier (letters, digits and "
            ~ "underscores, starting with a letter or underscore, at most 63)") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
