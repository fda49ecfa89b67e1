"""`python -m ingest load <domain>`: one module per domain, all landing through ingest.runner."""
