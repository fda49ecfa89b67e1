{#-
    json_get_text(json_text, key): the value of a top-level key of a JSON object held as
    text, as text (null when the key is absent, the value is null or the text is not an
    object). The text must be valid JSON: raw tables hold objects as their JSON text.
-#}
{% macro json_get_text(json_text, key) -%}
    {{ adapter.dispatch('json_get_text', 'warehouse')(json_text, key) }}
{%- endmacro %}

{% macro default__json_get_text(json_text, key) -%}
    (cast({{ json_text }} as json) ->> '{{ key }}')
{%- endmacro %}

{% macro duckdb__json_get_text(json_text, key) -%}
    json_extract_string({{ json_text }}, '$."{{ key }}"')
{%- endmacro %}

{% macro spark__json_get_text(json_text, key) -%}
    get_json_object({{ json_text }}, '$.{{ key }}')
{%- endmacro %}
