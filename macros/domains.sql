{#-
    The domain registry (`vars.domains` in dbt_project.yml; ingest/domains.py reads the same
    entries). Every SQL list of domains comes from here, so adding a domain is its own folders
    plus one entry.
-#}

{#- The registered domains, each checked once: a name and a mart schema that are identifiers. -#}
{% macro registered_domains() -%}
    {%- set domains = var('domains', []) -%}
    {%- if domains is string or domains | length == 0 -%}
        {{ exceptions.raise_compiler_error("var domains: expected the list of registered domains (dbt_project.yml)") }}
    {%- endif -%}
    {%- for domain in domains -%}
        {%- do warehouse.safe_identifier(domain['name'], 'var domains: name') -%}
        {%- do warehouse.safe_identifier(domain['mart_schema'], 'var domains: mart_schema of ' ~ domain['name']) -%}
    {%- endfor -%}
    {{ return(domains) }}
{%- endmacro %}

{% macro domain_names() -%}
    {{ return(warehouse.registered_domains() | map(attribute='name') | list) }}
{%- endmacro %}

{% macro mart_schemas() -%}
    {{ return(warehouse.registered_domains() | map(attribute='mart_schema') | unique | list) }}
{%- endmacro %}

{#-
    domain_refs(model_pattern, landed_files_only): a ref to `model_pattern` with `{domain}`
    replaced, for each registered domain (only those with `landed_files: true` when asked).
-#}
{% macro domain_refs(model_pattern, landed_files_only=false) -%}
    {%- set refs = [] -%}
    {%- for domain in warehouse.registered_domains() -%}
        {%- if not landed_files_only or domain.get('landed_files', false) -%}
            {%- do refs.append(ref(model_pattern | replace('{domain}', domain['name']))) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(refs) }}
{%- endmacro %}

{#- The mart schema of a model in models/marts/<folder>/ of a registered domain, or none. -#}
{% macro registry_mart_schema(node) -%}
    {%- if node is not none and node.resource_type == 'model' and node.fqn | length > 3
        and node.fqn[1] == 'marts' -%}
        {%- for domain in warehouse.registered_domains() -%}
            {%- if domain.get('marts_folder', domain['name']) == node.fqn[2] -%}
                {{ return(domain['mart_schema']) }}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
