"""Data movement for the warehouse: sample-data generators, dlt landing, the `ingest` CLI."""
