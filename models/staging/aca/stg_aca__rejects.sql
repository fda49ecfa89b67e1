-- Every ACA raw row that cannot be used, with its reason and the row as it landed, plus the
-- CSV lines that could not be split into a row.
{{ domain_rejects(
    'aca',
    ['members', 'plans', 'providers', 'enrollments', 'claim_lines', 'rating_areas'],
    rejected_lines_label='unsplittable line',
) }}
