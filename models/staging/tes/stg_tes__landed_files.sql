-- Files landed into raw_tes by completed loads, with their load time.
{{ domain_landed_files('tes') }}
