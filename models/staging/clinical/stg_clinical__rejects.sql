-- Every clinical raw row that cannot be used, with its reason and the row as it landed,
-- plus the NDJSON lines that were not a usable fragment.
{{ domain_rejects(
    'clinical',
    ['service_requests', 'codes', 'mappings', 'ncit_concepts', 'patients', 'encounters'],
    rejected_lines_label='malformed line',
) }}
