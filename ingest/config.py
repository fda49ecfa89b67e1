"""Configuration from environment variables, all prefixed `WAREHOUSE_`.

| variable                 | default                   | meaning                                  |
|--------------------------|---------------------------|------------------------------------------|
| WAREHOUSE_TARGET         | dev                       | dev / ci (DuckDB), pg (PostgreSQL), spark |
| WAREHOUSE_DUCKDB_PATH    | data/warehouse.duckdb     | DuckDB file for the dev target           |
| WAREHOUSE_CI_DUCKDB_PATH | /tmp/warehouse_ci.duckdb  | DuckDB file for the ci target            |
| WAREHOUSE_DATA_DIR       | data                      | sample data, dlt working folders         |
| WAREHOUSE_PG_HOST        | 127.0.0.1                 | PostgreSQL target: server                |
| WAREHOUSE_PG_PORT / _USER / _PASSWORD / _DBNAME | 5432 / postgres / (empty) / warehouse |   |
| WAREHOUSE_LAKE_DIR       | <WAREHOUSE_DATA_DIR>/lake | Parquet lake (the Spark target reads it) |

The `spark` target (Spark with Iceberg tables, docs/spark.md) has no Python connection:
loads write the Parquet lake only, and dbt registers the lake files as `raw_<domain>` tables.

`.env.example` lists every variable. A `.env` file beside the Makefile (`KEY=value` lines) is
read when this module is imported, so by the CLI, the make targets (they run it), the docs
and the dashboards; a variable already set in the environment wins over the file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOTENV = PROJECT_ROOT / ".env"
DUCKDB_TARGETS = ("dev", "ci")
SPARK_TARGETS = ("spark",)
TARGETS = (*DUCKDB_TARGETS, "pg", *SPARK_TARGETS)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class ConfigError(ValueError):
    """A configuration value is missing or unsafe; the message says which and why."""


def read_dotenv(path: Path = DOTENV) -> dict[str, str]:
    """`KEY=value` lines of a .env file (`#` comments, blank lines, `export ` and quotes
    allowed); a line that is none of these is an error naming it."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ConfigError(f"{path}: line {number}: expected KEY=value, found {raw!r}")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load_dotenv(path: Path = DOTENV) -> None:
    """Put the .env file's values in the environment, except those already set there."""
    for key, value in read_dotenv(path).items():
        os.environ.setdefault(key, value)


def env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def safe_identifier(value: str, what: str) -> str:
    """Refuse anything that is not a plain SQL identifier before it reaches SQL."""
    if not _IDENTIFIER.match(value or ""):
        raise ConfigError(
            f"{what} {value!r} is not a valid identifier "
            "(letters, digits and underscores, starting with a letter or underscore, at most 63)"
        )
    return value


@dataclass(frozen=True)
class Target:
    name: str
    duckdb_path: Path | None = None
    pg_host: str = ""
    pg_port: int = 5432
    pg_user: str = ""
    pg_password: str = ""
    pg_dbname: str = ""

    @property
    def is_duckdb(self) -> bool:
        return self.duckdb_path is not None

    @property
    def is_spark(self) -> bool:
        return self.name in SPARK_TARGETS

    def pg_url(self, dbname: str | None = None) -> str:
        auth = self.pg_user + (f":{self.pg_password}" if self.pg_password else "")
        return f"postgresql://{auth}@{self.pg_host}:{self.pg_port}/{dbname or self.pg_dbname}"

    def describe(self) -> str:
        if self.is_duckdb:
            return f"{self.name} (DuckDB {self.duckdb_path})"
        if self.is_spark:
            return f"{self.name} (Spark, Parquet lake {lake_dir()})"
        return f"{self.name} (PostgreSQL {self.pg_host}:{self.pg_port}/{self.pg_dbname})"


def data_dir() -> Path:
    return _resolve(env("WAREHOUSE_DATA_DIR", "data"))


def lake_dir() -> Path:
    """`WAREHOUSE_LAKE_DIR`, else `<WAREHOUSE_DATA_DIR>/lake`."""
    value = env("WAREHOUSE_LAKE_DIR", "")
    return _resolve(value).resolve() if value else data_dir() / "lake"


def _resolve(path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (Path.cwd() / p)


def target(name: str | None = None) -> Target:
    name = name or env("WAREHOUSE_TARGET", "dev")
    if name not in TARGETS:
        raise ConfigError(f"WAREHOUSE_TARGET={name!r}: expected one of {', '.join(TARGETS)}")
    if name == "dev":
        path = env("WAREHOUSE_DUCKDB_PATH", "data/warehouse.duckdb")
        return Target(name, duckdb_path=_resolve(path))
    if name == "ci":
        return Target(
            name, duckdb_path=_resolve(env("WAREHOUSE_CI_DUCKDB_PATH", "/tmp/warehouse_ci.duckdb"))
        )
    if name in SPARK_TARGETS:
        return Target(name)
    port = env("WAREHOUSE_PG_PORT", "5432")
    if not port.isdigit():
        raise ConfigError(f"WAREHOUSE_PG_PORT={port!r} is not a port number")
    return Target(
        name,
        pg_host=env("WAREHOUSE_PG_HOST", "127.0.0.1"),
        pg_port=int(port),
        pg_user=env("WAREHOUSE_PG_USER", "postgres"),
        pg_password=os.environ.get("WAREHOUSE_PG_PASSWORD", ""),
        pg_dbname=safe_identifier(env("WAREHOUSE_PG_DBNAME", "warehouse"), "WAREHOUSE_PG_DBNAME"),
    )


# A malformed .env is reported by the CLI (exit 2), not as a traceback at import.
DOTENV_ERROR: ConfigError | None = None
try:
    load_dotenv()
except ConfigError as _exc:
    DOTENV_ERROR = _exc
