-- Files landed into raw_clinical by completed loads, with their load time.
{{ domain_landed_files('clinical') }}
