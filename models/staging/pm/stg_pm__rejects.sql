-- Every project-management raw row that cannot be used, with its reason and the row as it
-- landed. (Rows the source has deleted are not rejects: they are counted apart, see
-- base_pm__* `is_deleted_in_source`.)
{{ domain_rejects('pm', [
    'project_types', 'clients', 'users', 'projects', 'services', 'review_cycles',
    'service_reviews', 'issues', 'issue_review_links', 'issue_activity',
]) }}
