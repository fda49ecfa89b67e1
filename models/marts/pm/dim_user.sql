-- Users (staff) with full history (SCD2) from snp_pm__users: one row per version, valid from
-- the source's updated_at of that version until the next version's (the first version
-- reaches back to 1900-01-01). A soft delete closes the last version at deleted_at and a
-- hard delete at the build that noticed it; either way the key keeps no current
-- version and its last version is flagged is_deleted. Plus an unknown row.
{%- set string = dbt.type_string() %}
{{ scd2_dimension(
    ref('snp_pm__users'), 'user_id', 'user_sk',
    unknown_row={
        'full_name': "'Unknown user'", 'email': 'cast(null as ' ~ string ~ ')',
        'team': "'unknown'", 'job_role': "'unknown'", 'is_active': 'false',
    },
) }}
