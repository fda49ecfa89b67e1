{#-
    clean_text(expr): trimmed text, blank becomes null. Non-breaking spaces count as spaces
    (also inside the text, where they become plain spaces); tabs, line breaks, a stray
    byte-order mark and zero-width spaces at either end are trimmed too, so a key of only
    whitespace is blank on every engine.
-#}
{% macro clean_text(expression) -%}
    nullif({{ adapter.dispatch('trim_whitespace', 'warehouse')("replace(" ~ expression ~ ", chr(160), ' ')") }}, '')
{%- endmacro %}

{% macro whitespace_characters() -%}
    ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13) || chr(8203) || chr(65279)
{%- endmacro %}

{% macro default__trim_whitespace(expression) -%}
    btrim({{ expression }}, {{ warehouse.whitespace_characters() }})
{%- endmacro %}

{% macro duckdb__trim_whitespace(expression) -%}
    trim({{ expression }}, {{ warehouse.whitespace_characters() }})
{%- endmacro %}

{#- row_to_json_text(alias): a whole row as JSON text, to keep a rejected row exactly as it landed. -#}
{% macro row_to_json_text(relation_alias) -%}
    {{ adapter.dispatch('row_to_json_text', 'warehouse')(relation_alias) }}
{%- endmacro %}

{% macro default__row_to_json_text(relation_alias) -%}
    cast(row_to_json({{ relation_alias }}) as text)
{%- endmacro %}

{% macro duckdb__row_to_json_text(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}

{#- Spark: chr() wraps at 256, so the characters are written as unicode escapes in the literal
    (Spark reads \uXXXX in string literals, but not every backslash escape: `\f` becomes `f`). -#}
{% macro spark__trim_whitespace(expression) -%}
    btrim({{ expression }}, ' \u0009\u000A\u000B\u000C\u000D\u200B\uFEFF')
{%- endmacro %}

{% macro spark__row_to_json_text(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}
