-- Files landed into raw_synthea by completed loads, with their load time (no rows before the
-- first Synthea load).
{{ domain_landed_files('synthea', optional=true) }}
