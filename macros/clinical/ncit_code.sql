{#-
    ncit_code(expression): the bare NCIt code (`C19951`) of an NCIt id written as `C19951`,
    `NCIT:C19951`, `NCIT_C19951`, `http://purl.obolibrary.org/obo/NCIT_C19951` or
    `http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl#C19951` (any case, trimmed); null
    for anything else. The same forms the clinical mapper accepts (ingest/clinical/terminology.py).
-#}
{% macro ncit_code(expression) -%}
    {%- set lowered = "lower(trim(" ~ expression ~ "))" -%}
    case when {{ regexp_like(lowered,
        '^((https?://purl[.]obolibrary[.]org/obo/)?ncit[_:]|https?://ncicb[.]nci[.]nih[.]gov/xml/owl/evs/thesaurus[.]owl#)?c[0-9]+$') }}
        then upper({{ regexp_substr(lowered, 'c[0-9]+$') }})
    end
{%- endmacro %}
