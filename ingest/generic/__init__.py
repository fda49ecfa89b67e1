"""Generic ingestion: `ingest run` and `ingest test-connection` over sql, rest and files sources.

Data goes source -> Parquet lake -> dlt -> `raw_<source>.<table>`, audited in `ctl`
(see `ingest.runner` and `ingest.audit`). The command functions are imported on first use
(`ingest.runner` itself imports `ingest.generic.lake`).
"""

from importlib import import_module

_COMMANDS = {
    "add_run_arguments": "ingest.generic.run",
    "run_run": "ingest.generic.run",
    "add_test_connection_arguments": "ingest.generic.connection",
    "run_test_connection": "ingest.generic.connection",
}

__all__ = sorted(_COMMANDS)


def __getattr__(name: str):
    if name in _COMMANDS:
        return getattr(import_module(_COMMANDS[name]), name)
    raise AttributeError(f"module 'ingest.generic' has no attribute {name!r}")
