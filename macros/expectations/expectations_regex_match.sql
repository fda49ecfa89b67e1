{#-
    expectations_regex_match(expression, regex, is_raw=false, flags='')

    Boolean SQL: true where the expression (cast to a string) contains a match of the regular
    expression (a search, not a whole-value match: anchor with ^...$ for that); null where the
    expression is null. Both engines match the same way: "." also matches a newline, ^ and $
    anchor at the start and end of the whole value. flags: "i" (case-insensitive) or "c"
    (case-sensitive, the default); the newline options of the two engines differ in meaning,
    so they are refused rather than silently giving different results.
    is_raw is accepted for compatibility: DuckDB and PostgreSQL string literals never treat a
    backslash as an escape, so the regex always reaches the engine as written.
-#}
{% macro expectations_regex_match(expression, regex, is_raw=false, flags='') %}
    {%- set flags = flags or '' -%}
    {%- if regex is not string or regex == '' -%}
        {{ exceptions.raise_compiler_error("regex must be a non-empty string, got '" ~ regex ~ "'") }}
    {%- endif -%}
    {%- if not modules.re.match('^[ci]*$', flags) -%}
        {{ exceptions.raise_compiler_error(
            "regex flags must be 'i' (case-insensitive) or 'c' (case-sensitive), got '"
            ~ flags ~ "'") }}
    {%- endif -%}
    {{ return(adapter.dispatch('expectations_regex_match', 'warehouse')(expression, regex, is_raw, flags)) }}
{% endmacro %}


{% macro default__expectations_regex_match(expression, regex, is_raw, flags) %}
    {{ exceptions.raise_compiler_error(
        "expectations_regex_match has no implementation for adapter '" ~ adapter.type() ~ "'") }}
{% endmacro %}


{#- Option "s" makes "." match newlines too, as it does in PostgreSQL. -#}
{% macro duckdb__expectations_regex_match(expression, regex, is_raw, flags) %}
    {%- set pattern = regex | replace("'", "''") -%}
    {{ return("regexp_matches(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ "), '"
        ~ pattern ~ "', 's" ~ flags ~ "')") }}
{% endmacro %}


{#- PostgreSQL takes the flags as an embedded option prefix, "(?i)pattern". -#}
{% macro postgres__expectations_regex_match(expression, regex, is_raw, flags) %}
    {%- set pattern = regex | replace("'", "''") -%}
    {%- set prefix = '(?' ~ flags ~ ')' if flags else '' -%}
    {{ return("(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ") ~ '" ~ prefix ~ pattern ~ "')") }}
{% endmacro %}


{#- Spark: Java regular expressions with embedded flags; its string literals treat a backslash
    as an escape, so backslashes and quotes are escaped to reach the engine as written. -#}
{% macro spark__expectations_regex_match(expression, regex, is_raw, flags) %}
    {%- set pattern = regex | replace('\\', '\\\\') | replace("'", "\\'") -%}
    {{ return("(cast(" ~ expression ~ " as " ~ dbt.type_string() ~ ") rlike '(?s" ~ flags ~ ")"
        ~ pattern ~ "')") }}
{% endmacro %}
