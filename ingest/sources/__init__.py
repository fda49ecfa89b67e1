"""dlt sources, one module per domain: what to read and how it maps to raw tables."""
