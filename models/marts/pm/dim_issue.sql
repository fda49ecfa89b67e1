-- Issues with full history (SCD2) from snp_pm__issues: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
{%- set ts = dbt.type_timestamp() %}
{{ scd2_dimension(
    ref('snp_pm__issues'), 'issue_id', 'issue_sk',
    unknown_row={
        'project_id': 'cast(null as integer)', 'service_id': 'cast(null as integer)',
        'title': "'Unknown issue'", 'issue_type': "'unknown'", 'issue_status': "'unknown'",
        'priority': "'unknown'", 'assignee_user_id': 'cast(null as integer)',
        'reporter_user_id': 'cast(null as integer)', 'opened_at': 'cast(null as ' ~ ts ~ ')',
        'due_date': 'cast(null as date)', 'closed_at': 'cast(null as ' ~ ts ~ ')',
    },
) }}
