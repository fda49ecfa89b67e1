"""Generic ingestion: `ingest run` and `ingest test-connection` over sql, rest and files sources.

Data goes source -> Parquet lake -> dlt -> `raw_<source>.<table>`, audited in `ctl`
(see `ingest.runner` and `ingest.audit`). The commands live in `ingest.generic.run` and
`ingest.generic.connection`.
"""
