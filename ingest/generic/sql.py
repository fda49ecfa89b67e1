"""Protocol `sql`: a table or a query of any SQLAlchemy database, optionally incremental.

    [sources.shop]
    protocol = "sql"
    url_env = "SHOP_DATABASE_URL"        # SQLAlchemy URL, e.g. postgresql://user:pw@host/db,
                                         # mysql+pymysql://..., sqlite:///path/to/file.db
    [sources.shop.tables.orders]
    source_table = "orders"              # default: the table name; or
    # query = "select ... from ..."      # any SELECT instead of a table
    cursor = "updated_at"                # incremental: only rows with cursor >= last value
    primary_key = "order_id"             # with write_disposition = "merge": upsert

Tables are read with dlt's `sql_table` (pyarrow backend); queries with a small dlt resource
that wraps the query. The cursor's last value lives in dlt's pipeline state (kept in the
warehouse with the data) and is reported in `ctl.watermark` after every run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dlt
import pyarrow as pa
import sqlalchemy as sa
from dlt.sources.sql_database import sql_table

from ingest.config import ConfigError
from ingest.generic import settings as cfg

DEFAULT_CHUNK = 50_000


def url(source: cfg.Source) -> str:
    """The SQLAlchemy URL: from `url_env`, or a `url` that carries no password."""
    where = f"source {source.name!r}"
    if source.settings.get("url_env"):
        value = cfg.secret(source.settings["url_env"], f"{where} url_env")
    elif source.settings.get("url"):
        value = source.settings["url"]
    else:
        raise ConfigError(f"{where}: set url_env (the environment variable holding the URL)")
    try:
        parsed = sa.make_url(value)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"{where}: not a SQLAlchemy URL: {exc}") from None
    if parsed.password and not source.settings.get("url_env"):
        raise ConfigError(f"{where}: `url` holds a password; put the URL in an environment "
                          "variable and name it with url_env")
    if parsed.drivername == "postgresql" and not _installed("psycopg"):
        # SQLAlchemy 2.1 defaults postgresql:// to psycopg 3; use psycopg2 where only it exists
        value = parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    return value


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def engine(source: cfg.Source) -> sa.Engine:
    value = url(source)
    backend = sa.make_url(value).get_backend_name()
    timeout = int(source.settings.get("connect_timeout_seconds", 10))
    connect_args: dict[str, Any] = {}
    if backend in ("postgresql", "mysql", "mariadb"):
        connect_args["connect_timeout"] = timeout
    try:
        return sa.create_engine(value, connect_args=connect_args)
    except ModuleNotFoundError as exc:
        raise ConfigError(f"source {source.name!r}: database driver not installed: {exc}") from None


def resource(source: cfg.Source, table: str, settings: dict, eng: sa.Engine):
    """A dlt resource named `table` that yields Arrow tables of the source's rows.

    Its incremental step (with the primary key as the de-duplication key at the cursor's
    boundary) runs inside it: pipe it into a transformer to see only the rows that pass.
    """
    cursor = settings.get("cursor")
    chunk = int(settings.get("chunk_size", DEFAULT_CHUNK))
    key = cfg.primary_key(settings)
    if settings.get("query"):
        return _query_resource(eng, settings["query"], table, cursor, chunk, key)
    res = sql_table(
        credentials=eng,
        table=settings.get("source_table", table),
        schema=settings.get("schema"),
        incremental=dlt.sources.incremental(cursor) if cursor else None,
        backend="pyarrow",
        chunk_size=chunk,
        reflection_level="full",
        primary_key=key,
    )
    return res.with_name(table)


def _query_resource(eng: sa.Engine, query: str, name: str, cursor: str | None, chunk: int,
                    key: list[str] | None):
    body = query.strip().rstrip(";")
    if cursor:
        def rows(last=dlt.sources.incremental(cursor)) -> Iterator[pa.Table]:  # noqa: B008
            sql = f"select * from ({body}) as q"
            params: dict[str, Any] = {}
            if last.last_value is not None:
                sql += f" where q.{cursor} >= :last_value"
                params["last_value"] = last.last_value
            yield from fetch_arrow(eng, sql + f" order by q.{cursor}", params, chunk)
    else:
        def rows() -> Iterator[pa.Table]:
            yield from fetch_arrow(eng, body, {}, chunk)
    return dlt.resource(rows, name=name, primary_key=key)


def fetch_arrow(eng: sa.Engine, sql: str, params: dict, chunk: int) -> Iterator[pa.Table]:
    """Run a query and yield its rows as Arrow tables of `chunk` rows (column-wise build)."""
    with eng.connect() as con:
        result = con.execution_options(stream_results=True).execute(sa.text(sql), params)
        keys = list(result.keys())
        while rows := result.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            yield pa.table({k: pa.array(col) for k, col in zip(keys, columns, strict=True)})


def check(source: cfg.Source) -> tuple[bool, str]:
    """Connect, run `select 1`, and look for each configured source table."""
    eng = engine(source)
    try:
        with eng.connect() as con:
            con.execute(sa.text("select 1"))
        inspector = sa.inspect(eng)
        missing = []
        for table, t in source.tables.items():
            if t.get("query"):
                continue
            name = t.get("source_table", table)
            if not inspector.has_table(name, schema=t.get("schema", source.settings.get("schema"))):
                missing.append(name)
    finally:
        eng.dispose()
    backend = eng.url.get_backend_name()
    where = f"{backend} {eng.url.host or eng.url.database or ''}".strip()
    if missing:
        return False, f"connected to {where}; table(s) not found: {', '.join(missing)}"
    return True, f"connected to {where}; {len(source.tables)} table(s) configured"
