{#-
    union_built_relations(relations): `select * from r1 union all select * from r2 ...` over
    the relations that exist in the warehouse. Control tables that gather every domain
    (ctl.rejects, ctl.loaded_files) use it so that a warehouse holding only some domains
    (a domain's own test run, a partial `dbt build --select tag:aca+`) still builds.
    The relations must share one column list. With `empty_columns` ({name: type}), a
    warehouse where none of them exists yet gets an empty result of that shape.
    With the var `union_all_relations` true (the SQL linter sets it), every relation counts
    as built, so the full union renders without a warehouse.
-#}
{% macro union_built_relations(relations, empty_columns=none) -%}
    {%- set built = [] -%}
    {%- if execute -%}
        {%- for relation in relations -%}
            {%- if var('union_all_relations', false) or load_relation(relation) is not none -%}
                {%- do built.append(relation) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if built | length == 0 and empty_columns is not none %}
    select
        {%- for name, type in empty_columns.items() %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
        {%- endfor %}
    where 1 = 0
    {%- elif built | length == 0 -%}
        {{ exceptions.raise_compiler_error("union_built_relations: none of " ~ relations | join(', ') ~ " exists yet") if execute else "select 1 as placeholder" }}
    {%- endif -%}
    {%- for relation in built %}
    select * from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif -%}
    {%- endfor -%}
{%- endmacro %}
