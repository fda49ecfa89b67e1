-- Files landed into raw_aca by completed loads, with their load time.
{{ domain_landed_files('aca') }}
