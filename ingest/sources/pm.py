"""Project management: the operational database's tables, how each is read, and its keys.

Tables are read with dlt's `sql_database` source (`sql_table`, pyarrow backend),
incrementally on `updated_at` (the watermark; rows with a later value than the last one
landed are read again), merged on the table's primary key into `raw_pm`. A row removed
from the source leaves nothing behind for an incremental read to find, so each run also
reads every primary key of every table (`source_keys`); the loader compares them with the
keys in `raw_pm` and lands a deletion marker for each key that is gone.

The simulator's own tables (`sim_*`) are not part of the operational model and never read.
"""

from __future__ import annotations

from pathlib import Path

import dlt
import pyarrow as pa
import sqlalchemy as sa
from dlt.common.schema import Schema
from dlt.sources.sql_database import sql_table

from ingest import config

DOMAIN = "pm"
CURSOR_COLUMN = "updated_at"
DELETED_KEYS_TABLE = "_deleted_keys"
WATERMARKS_TABLE = "_watermarks"
KEY_SEPARATOR = "|"

# Parents before children. Every table has a primary key and an `updated_at` column.
TABLES: tuple[str, ...] = (
    "project_types",
    "clients",
    "users",
    "projects",
    "services",
    "review_cycles",
    "service_reviews",
    "issues",
    "issue_review_links",
    "issue_activity",
)


class SourceError(RuntimeError):
    """The operational database cannot be read as expected; the message says why."""


def default_url() -> str:
    """WAREHOUSE_PM_SOURCE_URL, else the generator's default SQLite file."""
    url = config.env("WAREHOUSE_PM_SOURCE_URL", "")
    return url or f"sqlite:///{config.data_dir() / 'ops' / 'pm.sqlite'}"


def normalize_url(url: str) -> str:
    """The URL with an explicit driver: plain `postgresql://` means psycopg2 (installed)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise SourceError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise SourceError(f"unsupported source database {backend!r}: use sqlite or postgresql")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def engine(url: str) -> sa.Engine:
    parsed = sa.engine.make_url(normalize_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:":
            raise SourceError(f"{url!r}: a SQLite source must be a file")
        if not Path(path).exists():
            raise SourceError(
                f"no operational database at {path}; run `python -m ingest generate pm` first"
            )
    return sa.create_engine(parsed)


def describe(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def primary_keys(eng: sa.Engine) -> dict[str, list[str]]:
    """The primary key of every table read, as the source declares it."""
    inspector = sa.inspect(eng)
    present = set(inspector.get_table_names())
    missing = [t for t in TABLES if t not in present]
    if missing:
        raise SourceError(f"{describe(str(eng.url))}: missing table(s) {missing}")
    keys: dict[str, list[str]] = {}
    for table in TABLES:
        columns = {c["name"] for c in inspector.get_columns(table)}
        pk = inspector.get_pk_constraint(table).get("constrained_columns") or []
        if not pk:
            raise SourceError(f"table {table} has no primary key; it cannot be merged")
        if CURSOR_COLUMN not in columns:
            raise SourceError(f"table {table} has no {CURSOR_COLUMN} column to read incrementally")
        keys[table] = list(pk)
    return keys


def _permissive(table: sa.Table) -> sa.Table:
    """Raw columns take whatever the source sends: no NOT NULL (beyond the primary key) and
    no text length, so a column the source relaxes or widens still lands; staging judges the
    values. Types, numeric precision and scale stay as the source declares them."""
    for column in table.columns:
        if not column.primary_key:
            column.nullable = True
        if isinstance(column.type, sa.String):
            column.type.length = None
    return table


def table_resources(url: str, tables: list[str], keys: dict[str, list[str]]) -> list:
    """One dlt resource per table: incremental on updated_at, merged on the primary key."""
    return [
        sql_table(
            credentials=url,
            table=table,
            backend="pyarrow",
            reflection_level="full_with_precision",
            table_adapter_callback=_permissive,
            incremental=dlt.sources.incremental(CURSOR_COLUMN),
            write_disposition="merge",
            primary_key=keys[table],
        )
        for table in tables
    ]


# Once landed, a column keeps its data type: dlt's schema contract on `data_type`.
TYPE_CONTRACT = Schema.expand_schema_contract_settings({"data_type": "freeze"})


def type_changes(pipeline: dlt.Pipeline, resources: dict[str, object]) -> dict[str, list[str]]:
    """Columns whose data type in the source breaks `TYPE_CONTRACT` against `raw_pm`: per
    table, `column: old -> new` (dlt data types).

    dlt evaluates the contract (`Schema.apply_schema_contract`) on each table's columns as
    the source declares them now, so a change is caught before any row is read, also when no
    changed row passes the watermark, and every changed column is named. Only the data type
    is frozen: a widening that keeps it (integer to bigint, a longer varchar) lands as before,
    and a new column is schema evolution, not a change."""
    if not pipeline.default_schema_name:
        return {}
    schema = pipeline.default_schema
    changes: dict[str, list[str]] = {}
    for table, resource in resources.items():
        if table not in schema.tables:
            continue
        stored = schema.get_table_columns(table)
        reflected = resource.compute_table_schema()["columns"]
        partial = {
            "name": table,
            "columns": {
                name: {"name": name, "data_type": hints["data_type"]}
                for name, hints in reflected.items()
                if hints.get("data_type") and name in stored
            },
        }
        _, refused = schema.apply_schema_contract(TYPE_CONTRACT, partial, raise_on_freeze=False)
        for entity, column, _mode in refused:
            if entity == "columns":
                old = stored[column].get("data_type")
                changes.setdefault(table, []).append(
                    f"{column}: {old} -> {reflected[column]['data_type']}"
                )
    return changes


def type_change_error(changes: dict[str, list[str]]) -> SourceError:
    listed = "; ".join(f"{t}.{c}" for t, cols in sorted(changes.items()) for c in cols)
    tables = " ".join(f"--refresh {t}" for t in sorted(changes))
    return SourceError(
        f"column type changed in the source: {listed}; raw_{DOMAIN} keeps the old type, "
        f"nothing was landed. Once the change is intended, land the table(s) again in full: "
        f"python -m ingest load pm {tables}"
    )


def key_text(values: tuple) -> str:
    """A row's key as text: `12`, or `12|34` for a composite key (as raw keys are compared)."""
    return KEY_SEPARATOR.join(str(v) for v in values)


def source_keys(eng: sa.Engine, table: str, key_columns: list[str]) -> set[str]:
    """Every key present in the source table now (a full key scan)."""
    t = sa.table(table, *(sa.column(c) for c in key_columns))
    with eng.connect() as conn:
        result = conn.execute(sa.select(*t.c))
        return {key_text(tuple(row)) for row in result}


def deleted_keys_table(rows: list[tuple[str, str]], detected_at: str) -> pa.Table:
    """Deletion markers: (table_name, key_value) found in raw but gone from the source;
    `detected_at` is the time of the key scan as text (UTC, `YYYY-MM-DD HH:MM:SS.ffffff`)."""
    return pa.table(
        {
            "table_name": pa.array([r[0] for r in rows], pa.string()),
            "key_value": pa.array([r[1] for r in rows], pa.string()),
            "detected_at": pa.array([detected_at] * len(rows), pa.string()),
        }
    )
