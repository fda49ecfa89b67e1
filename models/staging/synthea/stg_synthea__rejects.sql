-- Every Synthea raw row that cannot be used, with its reason and the row as it landed, plus
-- the CSV lines that could not be split into a row.
{{ domain_rejects(
    'synthea',
    ['payers', 'patients', 'payer_transitions', 'claims'],
    rejected_lines_label='unsplittable line',
) }}
