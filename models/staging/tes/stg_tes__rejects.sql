-- Every TES raw row that cannot be used, with its reason and the row as it landed, plus the
-- files and lines that could not be read (jurisdictions come from several raw tables; the
-- base model names each row's own).
{{ domain_rejects(
    'tes',
    [
        'valuesets', 'valueset_includes', 'valueset_concepts', 'valueset_references',
        'configurations', 'configuration_groupers', 'configuration_codes', 'activations', 'config_changes',
        {'model': 'base_tes__jurisdictions', 'table_column': 'source_table'},
    ],
    rejected_lines_label='unreadable',
) }}
