"""The throwaway warehouse a benchmark runs in, and the engine's own reader on the same files
(DuckDB `read_csv`, PostgreSQL `COPY`): the limit landing is compared with.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from ingest import config
from ingest.log import say

# ---------------------------------------------------------------------------------------------
# Engines: the warehouse copies and the engine's own limits
# ---------------------------------------------------------------------------------------------

class Engine:
    """A throwaway warehouse on DuckDB (a file per copy) or PostgreSQL (a database per copy)."""

    def __init__(self, kind: str, root: Path, tag: str) -> None:
        self.kind = kind
        self.root = root
        self.tag = tag
        self.created: list[str] = []

    # each copy is named by a role: "wh" (landed, then built), "raw" (landed only), ...
    def duckdb_path(self, role: str) -> Path:
        # every copy has the same file name, so that the catalog name in compiled SQL matches
        return self.root / role / "warehouse.duckdb"

    def pg_dbname(self, role: str) -> str:
        return config.safe_identifier(f"bench_{self.tag}_{role}", "database")

    def env(self, role: str) -> dict[str, str]:
        if self.kind == "dev":
            return {"WAREHOUSE_TARGET": "dev",
                    "WAREHOUSE_DUCKDB_PATH": str(self.duckdb_path(role))}
        return {"WAREHOUSE_TARGET": "pg", "WAREHOUSE_PG_DBNAME": self.pg_dbname(role)}

    def create(self, role: str, template: str | None = None) -> None:
        if self.kind == "dev":
            path = self.duckdb_path(role)
            path.parent.mkdir(parents=True, exist_ok=True)
            if template is not None:
                shutil.copyfile(self.duckdb_path(template), path)
            return
        name = self.pg_dbname(role)
        self._pg_admin(f'drop database if exists "{name}"')
        src = f' template "{self.pg_dbname(template)}"' if template else ""
        self._pg_admin(f'create database "{name}"{src}')
        self.created.append(name)

    def connect(self, role: str):
        if self.kind == "dev":
            import duckdb

            return duckdb.connect(str(self.duckdb_path(role)))
        import psycopg2

        t = config.target("pg")
        con = psycopg2.connect(host=t.pg_host, port=t.pg_port, user=t.pg_user,
                               password=t.pg_password, dbname=self.pg_dbname(role))
        con.autocommit = True
        return con

    def _pg_admin(self, sql: str) -> None:
        import psycopg2

        t = config.target("pg")
        con = psycopg2.connect(host=t.pg_host, port=t.pg_port, user=t.pg_user,
                               password=t.pg_password, dbname="postgres")
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(sql)
        finally:
            con.close()

    def drop_all(self) -> None:
        for name in self.created:
            try:
                self._pg_admin(f'drop database if exists "{name}" with (force)')
            except Exception as exc:  # cleanup must not hide the result
                say(f"warning: could not drop database {name}: {exc}")


def _execute(con, sql: str, fetch: bool = False):
    if hasattr(con, "cursor") and not hasattr(con, "sql"):  # psycopg2
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall() if fetch else None
    rel = con.execute(sql)
    return rel.fetchall() if fetch else None


def landing_limit(engine: Engine, files: dict[str, list[str]]) -> dict:
    """The engine's own reader on the same files: seconds per source table."""
    engine.create("limit")
    con = engine.connect("limit")
    out = {}
    try:
        for table, paths in files.items():
            started = time.perf_counter()
            if engine.kind == "dev":
                listing = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
                con.execute(
                    f"create table {table} as select * from read_csv([{listing}], "
                    "header = true, all_varchar = true)"
                )
                rows = con.execute(f"select count(*) from {table}").fetchone()[0]
            else:
                rows = _pg_copy(con, table, paths)
            out[table] = {"rows": rows, "seconds": time.perf_counter() - started}
    finally:
        con.close()
    return out


def _pg_copy(con, table: str, paths: list[str]) -> int:
    from ingest.readers import _header

    columns = _header(Path(paths[0]), ",")
    cols = ", ".join(f'"{c}" text' for c in columns)
    rows = 0
    with con.cursor() as cur:
        cur.execute(f"create table {table} ({cols})")
        for p in paths:
            with open(p, "rb") as fh:
                cur.copy_expert(f"copy {table} from stdin with (format csv, header true)", fh)
            rows += cur.rowcount
    return rows
