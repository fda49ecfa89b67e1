"""Clinical service requests: FHIR R4 JSON to the NDJSON pipeline output, and sample bundles.

    terminology  code systems, NCIt identifiers, the cross-reference seed, mapping decisions
    fhir         reading FHIR files (Bundles, bare resources, bulk NDJSON) into flat rows
    mapper       `map_paths`, `write_ndjson` and the `map-fhir` command
    ndjson       reading and writing the pipeline-output NDJSON
    generate     deterministic synthetic bundles and their pipeline output

The output format is specified in docs/clinical/pipeline-output.md.
"""
