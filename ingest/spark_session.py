"""A Spark session configured exactly as dbt's `spark` output in profiles.yml.

dbt-spark's `session` method runs Spark inside the Python process that runs dbt; a session
started there is reused by every later dbt invocation and by this module in the same
process (Spark keeps one session per process). Started elsewhere, the settings come from
profiles.yml (rendered with the same environment variables), so Python and dbt always see
the same catalog, metastore and warehouse folder.
"""

from __future__ import annotations

import os
from functools import cache

import jinja2
import yaml

from ingest import config


def _env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise config.ConfigError(f"profiles.yml needs the environment variable {name}")
        return default
    return value


def settings() -> dict[str, str]:
    """The Spark settings of the `spark` output, rendered as dbt renders them."""
    profile = yaml.safe_load((config.PROJECT_ROOT / "profiles.yml").read_text())
    output = profile["warehouse"]["outputs"]["spark"]
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    rendered = {
        key: env.from_string(str(value)).render(env_var=_env_var)
        for key, value in output.get("server_side_parameters", {}).items()
    }
    rendered["spark.sql.ansi.enabled"] = "false"  # as dbt-spark sets it
    return rendered


@cache
def _session_for(items: tuple[tuple[str, str], ...]):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in items:
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    # dbt-spark asks for the session once per statement; Spark warns each time it reuses it
    spark.sparkContext.setLogLevel(config.env("WAREHOUSE_SPARK_LOG_LEVEL", "ERROR"))
    return spark


def session():
    """The process's Spark session (the one dbt started, or a new one with its settings)."""
    (config.data_dir() / "spark").mkdir(parents=True, exist_ok=True)
    return _session_for(tuple(sorted(settings().items())))


def fetchall(sql: str) -> list[tuple]:
    return [tuple(row) for row in session().sql(sql).collect()]


def relations(schema: str) -> list[tuple[str, str]]:
    """(name, 'table'|'view') of every relation in a schema (empty if it does not exist)."""
    spark = session()
    name = config.safe_identifier(schema, "schema")
    if not spark.catalog.databaseExists(name):
        return []
    views = {r[1] for r in fetchall(f"show views in {name}")}
    tables = [r[1] for r in fetchall(f"show tables in {name}") if not r[2]]
    return sorted((t, "view" if t in views else "table") for t in tables)


def column_types(schema: str, table: str) -> dict[str, str]:
    """Column name -> Spark type (simple string), in table order."""
    name = f"{config.safe_identifier(schema, 'schema')}.{config.safe_identifier(table, 'table')}"
    return {f.name: f.dataType.simpleString() for f in session().table(name).schema.fields}


def fetch_columns(schema: str, table: str, columns: list[str]) -> list[tuple]:
    """Rows of the given columns; timestamps as UTC wall-clock time (as DuckDB returns them)."""
    types = column_types(schema, table)
    select = ", ".join(
        f"cast(`{c}` as timestamp_ntz)" if types[c] == "timestamp" else f"`{c}`" for c in columns
    )
    return fetchall(f"select {select} from {schema}.{table}")
