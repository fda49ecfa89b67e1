"""Source configuration files (TOML or JSON) for `ingest run` and `ingest test-connection`.

    [sources.<name>]             # one section per source; <name> becomes schema raw_<name>
    protocol = "sql" | "rest" | "files"
    ...protocol settings...      # defaults for every table of the source
    [sources.<name>.tables.<table>]
    ...table settings...         # <table> becomes raw_<name>.<table>

A file with `protocol` at the top level is one source (its name comes from `--source`).
Secrets never live in the file: settings ending in `_env` name the environment variable
that holds the value (`url_env`, `auth_env`). Unknown settings are refused, so a typo
never silently changes what is loaded.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.config import ConfigError, safe_identifier

PROTOCOLS = ("sql", "rest", "files")
WRITE_DISPOSITIONS = ("append", "replace", "merge")

# Settings each protocol accepts: at source level (defaults) and at table level.
SOURCE_KEYS: dict[str, set[str]] = {
    "sql": {"url", "url_env", "schema", "chunk_size", "connect_timeout_seconds"},
    "rest": {"base_url", "base_url_env", "headers", "auth_env", "auth_header", "auth_scheme",
             "params", "paginate", "records", "timeout_seconds"},
    "files": {"base_dir", "format", "delimiter"},
}
TABLE_KEYS: dict[str, set[str]] = {
    "sql": {"source_table", "schema", "query", "cursor", "chunk_size"},
    "rest": {"path", "params", "paginate", "records"},
    "files": {"glob", "format", "delimiter"},
}
COMMON_TABLE_KEYS = {"primary_key", "write_disposition"}


@dataclass(frozen=True)
class Source:
    name: str
    protocol: str
    settings: dict[str, Any]
    tables: dict[str, dict[str, Any]]
    config_path: Path

    def table(self, name: str) -> dict[str, Any]:
        """A table's settings merged over the source's (table settings win)."""
        safe_identifier(name, "table")
        merged = {k: v for k, v in self.settings.items() if k in TABLE_KEYS[self.protocol]}
        merged.update(self.tables.get(name, {}))
        _check_table(self, name, merged)
        return merged


def load(path: Path) -> dict[str, Source]:
    """Parse a configuration file; ConfigError (bad usage) with the reason when it is wrong."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file {path} not found")
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "TOML"
        raise ConfigError(f"{path.name}: not valid {kind}: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path.name}: expected a table of settings at the top level")
    if "protocol" in raw:
        return {"": _source("", raw, path)}
    sources = raw.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ConfigError(f"{path.name}: no [sources.<name>] section and no top-level protocol")
    return {name: _source(name, body, path) for name, body in sources.items()}


def pick(sources: dict[str, Source], name: str) -> Source:
    """The source named on the command line (a one-source file takes that name)."""
    safe_identifier(name, "source")
    if "" in sources:
        s = sources[""]
        return Source(name, s.protocol, s.settings, s.tables, s.config_path)
    if name not in sources:
        known = ", ".join(sources)
        raise ConfigError(f"source {name!r} is not in the configuration (has: {known})")
    return sources[name]


def _source(name: str, body: Any, path: Path) -> Source:
    where = f"{path.name}: source {name!r}" if name else path.name
    if not isinstance(body, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    if name:
        safe_identifier(name, "source")
    body = dict(body)
    protocol = body.pop("protocol", None)
    if protocol not in PROTOCOLS:
        raise ConfigError(f"{where}: protocol {protocol!r}: expected one of {', '.join(PROTOCOLS)}")
    tables = body.pop("tables", {}) or {}
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ConfigError(f"{where}: `tables` must map table names to tables of settings")
    allowed = SOURCE_KEYS[protocol] | TABLE_KEYS[protocol] | COMMON_TABLE_KEYS
    _refuse_unknown(where, body, allowed)
    for table, settings in tables.items():
        safe_identifier(table, "table")
        keys = TABLE_KEYS[protocol] | COMMON_TABLE_KEYS
        _refuse_unknown(f"{where} table {table!r}", settings, keys)
    return Source(name, protocol, body, tables, path)


def _refuse_unknown(where: str, settings: dict, allowed: set[str]) -> None:
    unknown = sorted(set(settings) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(allowed))})"
        )


def _check_table(source: Source, name: str, settings: dict) -> None:
    where = f"source {source.name!r} table {name!r}"
    wd = settings.get("write_disposition", "append")
    if wd not in WRITE_DISPOSITIONS:
        expected = ", ".join(WRITE_DISPOSITIONS)
        raise ConfigError(f"{where}: write_disposition {wd!r}: expected one of {expected}")
    if wd == "merge" and not settings.get("primary_key"):
        raise ConfigError(f"{where}: write_disposition 'merge' needs a primary_key")
    if source.protocol == "files" and not settings.get("glob"):
        raise ConfigError(f"{where}: a files source needs `glob` (which files to load)")
    if source.protocol == "sql" and settings.get("cursor"):
        safe_identifier(settings["cursor"], "cursor column")


def primary_key(settings: dict) -> list[str] | None:
    value = settings.get("primary_key")
    if value is None:
        return None
    keys = [value] if isinstance(value, str) else list(value)
    return [safe_identifier(k, "primary_key column") for k in keys]


def secret(env_name: str, what: str) -> str:
    """The value of the environment variable a setting names; ConfigError when unset."""
    value = os.environ.get(env_name or "")
    if not value:
        raise ConfigError(f"{what}: environment variable {env_name!r} is not set")
    return value
