-- Review cycles with full history (SCD2) from snp_pm__review_cycles: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
{{ scd2_dimension(
    ref('snp_pm__review_cycles'), 'review_cycle_id', 'review_cycle_sk',
    unknown_row={
        'service_id': 'cast(null as integer)', 'cycle_name': "'Unknown review cycle'",
        'planned_date': 'cast(null as date)', 'actual_date': 'cast(null as date)',
        'cycle_status': "'unknown'",
    },
) }}
