"""Landing on the Spark target: the Parquet lake is the raw layer, nothing else is written.

Every target writes each run's tables to the lake first (`ingest.generic.lake`); on DuckDB
and PostgreSQL dlt then loads them. Spark reads the lake files themselves: dbt registers
them as `raw_<domain>` tables at the start of each run (macro `register_lake_sources`). So
that a load counts only once it completed, as with dlt, a run here writes, after its
tables, the per-file bookkeeping (`<domain>__landed_files_<stamp>.parquet`) and last one
`<domain>__dlt_loads_<stamp>.parquet` holding the run's load id. The load id is derived from
the stamp every file of the run carries (`<epoch seconds>.<microseconds>`), by this module
and by the dbt macro alike. A run that dies before its `_dlt_loads` file leaves rows that
staging ignores, and its files land again next time.

Control rows (`ctl.etl_audit_log`, `ctl.etl_run`) go to `<lake>/ctl/<table>/` as Parquet
files; dbt copies them into its Iceberg control tables at the start of each run (macro
`spark_import_ingest_ctl_rows`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import ctl
from ingest.generic import lake as lake_mod

LOADS_TABLE = "_dlt_loads"
LANDED_FILES_TABLE = "_landed_files"
_STAMP = re.compile(r"_(\d{8}T\d{12})Z(?:_\d+)?\.parquet$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def load_id(now: datetime) -> str:
    """The load id of a run whose lake files carry the stamp of `now` (UTC, microseconds)."""
    micros = (now.astimezone(UTC) - _EPOCH) // _MICROSECOND
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def load_id_of_file(path: Path) -> str | None:
    """The load id a lake file belongs to, from the stamp in its name (None if it has none)."""
    match = _STAMP.search(path.name)
    if not match:
        return None
    stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S%f").replace(tzinfo=UTC)
    return load_id(stamp)


def _files(lake: Path, domain: str, table: str) -> list[Path]:
    return sorted(Path(lake).glob(f"*/{domain}/*/{domain}_{table}_[0-9]*T*.parquet"))


def completed_loads(lake: Path, domain: str) -> set[str]:
    """Load ids of the domain's runs that finished (their `_dlt_loads` file exists)."""
    done: set[str] = set()
    for path in _files(lake, domain, LOADS_TABLE):
        done.update(pq.read_table(path, columns=["load_id"]).column("load_id").to_pylist())
    return done


def landed_checksums(lake: Path, domain: str) -> set[str]:
    """Checksums of the files landed by the domain's completed loads."""
    done = completed_loads(lake, domain)
    found: set[str] = set()
    for path in _files(lake, domain, LANDED_FILES_TABLE):
        if load_id_of_file(path) in done:
            found.update(pq.read_table(path, columns=["sha256"]).column("sha256").to_pylist())
    return found


def write_load(
    lake: Path,
    protocol: str,
    domain: str,
    pipeline_name: str,
    tables: dict[str, list[pa.Table]],
    now: datetime,
) -> tuple[list[Path], str]:
    """Write the run's tables (bookkeeping after data), then the completion file.

    Returns (lake files of the data tables, load id). Every file carries its table name,
    which is what maps it to its raw table on Spark.
    """
    written: list[Path] = []
    ordered = sorted(tables.items(), key=lambda item: item[0] == LANDED_FILES_TABLE)
    for name, batches in ordered:
        paths = lake_mod.write_tables(lake, protocol, domain, name, batches, now)
        if not paths and batches:
            # an empty table still lands (as dlt creates it), so that its raw table exists
            paths = [_write_empty(lake, protocol, domain, name, batches[0].schema, now)]
        if name != LANDED_FILES_TABLE:
            written += paths
    run_load_id = load_id(now)
    marker = pa.table(
        {
            "load_id": pa.array([run_load_id], pa.string()),
            "schema_name": pa.array([pipeline_name], pa.string()),
            "status": pa.array([0], pa.int64()),
            "inserted_at": pa.array([datetime.now(UTC).replace(tzinfo=None)], pa.timestamp("us")),
        }
    )
    lake_mod.write_tables(lake, protocol, domain, LOADS_TABLE, [marker], now)
    return written, run_load_id


def _write_empty(
    lake: Path, protocol: str, domain: str, table: str, schema: pa.Schema, now: datetime
) -> Path:
    """A lake file with the table's columns and no rows (named as `LakeWriter` names files)."""
    folder = Path(lake) / protocol / domain / now.strftime("%Y-%m-%d")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{domain}_{table}_{now.strftime('%Y%m%dT%H%M%S%fZ')}.parquet"
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(schema.empty_table(), tmp, compression="zstd")
    tmp.replace(path)
    return path


def _naive_utc(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def write_ctl_rows(rows: dict[str, dict], lake: Path | None = None) -> None:
    """Control rows ({table: row}, one run's) as Parquet files in `<lake>/ctl/<table>/`.

    Column types are the control tables' (`ingest.ctl`); timestamps are UTC without a zone.
    """
    lake = Path(lake) if lake else lake_mod.default_dir()
    for table, row in rows.items():
        schema = ctl.arrow_schema(table)
        data = pa.table(
            {f.name: pa.array([_naive_utc(row.get(f.name))], f.type) for f in schema},
            schema=schema,
        )
        folder = lake / "ctl" / table
        folder.mkdir(parents=True, exist_ok=True)
        run_id = row["run_id"]
        tmp = folder / f".{run_id}.parquet.tmp"
        pq.write_table(data, tmp, compression="zstd")
        tmp.replace(folder / f"ingest_{run_id}.parquet")
