"""A plain DB-API connection to the warehouse of the selected target (DuckDB or PostgreSQL)."""

from __future__ import annotations

from contextlib import contextmanager

from ingest import config


@contextmanager
def connect(target: config.Target | None = None, read_only: bool = False):
    target = target or config.target()
    if target.is_spark:
        raise config.ConfigError(
            f"target {target.name!r} is Spark: there is no Python connection to it; query it "
            "through a Spark session (ingest.spark_session) or dbt"
        )
    if target.is_duckdb:
        import duckdb

        try:
            con = duckdb.connect(str(target.duckdb_path), read_only=read_only)
        except duckdb.ConnectionException as exc:
            # This process already holds the file open read-write (dbt-duckdb keeps its
            # connection for the life of the process); DuckDB refuses a second connection
            # with another configuration, so share the open one's configuration instead.
            if not read_only or "different configuration" not in str(exc):
                raise
            con = duckdb.connect(str(target.duckdb_path))
    else:
        import psycopg2

        con = psycopg2.connect(
            host=target.pg_host,
            port=target.pg_port,
            user=target.pg_user,
            password=target.pg_password or None,
            dbname=target.pg_dbname,
        )
        con.autocommit = True
    try:
        yield con
    finally:
        con.close()


def fetchall(con, sql: str, params: tuple = ()) -> list[tuple]:
    cur = con.cursor()
    cur.execute(sql, params) if params else cur.execute(sql)
    rows = cur.fetchall()
    cur.close()
    return rows


def relations(con, schema: str) -> list[tuple[str, str]]:
    """(name, 'table'|'view') of every relation in a schema."""
    rows = fetchall(
        con,
        "select table_name, table_type from information_schema.tables "
        f"where table_schema = '{config.safe_identifier(schema, 'schema')}' order by table_name",
    )
    return [(name, "view" if "VIEW" in kind.upper() else "table") for name, kind in rows]
