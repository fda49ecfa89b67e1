"""Where landed tables go after the lake: dlt into `raw_<domain>`, or, on Spark, nowhere else.

Every landing reads its source, writes each table to the Parquet lake and hands it to the
target's sink, then writes its control rows through the same sink:

- `DltSink` (DuckDB, PostgreSQL): dlt loads the tables into `raw_<domain>` and the control
  rows go to `ctl.*` through a plain connection;
- `LakeSink` (Spark): the lake files are the raw tables (`ingest.spark_landing`) and the
  control rows are Parquet files under `<lake>/ctl/` that dbt copies in.

`for_target` is the one place that tells the two apart.

dlt's working folder holds one pipeline per domain (`warehouse_<domain>`) or `ingest run`
source (`ingest_<source>`) under `<WAREHOUSE_DATA_DIR>/.dlt/<target>_<key>/`, one folder per
warehouse: `dlt pipeline --pipelines-dir DIR NAME info|trace|show` work on it (docs/ingest.md).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from ingest import config, ctl, spark_landing, warehouse
from ingest.generic import lake as lake_mod

# dlt adds `_dlt_load_id` to Arrow data only with this switch; it must be on before the
# first load of a table (adding the NOT NULL column later fails on DuckDB).
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
# Load files are read once, right away, from local disk: gzip would only cost time (on
# PostgreSQL, whose load files are CSV for COPY, two thirds of a landing's time).
os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
# and once loaded they are not read again (the Parquet lake keeps every row landed); the
# pipeline's state, schemas and last trace stay in its working folder
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402  (after the environment switches above)

LANDED_FILES_TABLE = "_landed_files"
# Rows gathered per batch when many files land in one run (bounds memory per table).
BATCH_ROWS = 500_000


def pipelines_dir(target: config.Target) -> Path:
    """dlt's working folder, one per warehouse, so throwaway warehouses never share state."""
    key = str(target.duckdb_path) if target.is_duckdb else target.pg_url()
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return config.data_dir() / ".dlt" / f"{target.name}_{digest}"


def pipeline_name(domain: str, name: str | None = None) -> str:
    """The stable pipeline name of a domain (`warehouse_<domain>`) unless one is given."""
    return config.safe_identifier(name or f"warehouse_{domain}", "pipeline")


class DltSink:
    """DuckDB and PostgreSQL: dlt loads into `raw_<domain>`; ctl rows over a connection."""

    loads_with_dlt = True

    def __init__(self, target: config.Target) -> None:
        self.target = target
        self._pipelines: dict[str, dlt.Pipeline] = {}

    def destination(self):
        target = self.target
        if target.is_duckdb:
            target.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(credentials=str(target.duckdb_path))
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        credentials = PostgresCredentials()
        credentials.parse_native_representation(target.pg_url())
        # An empty password is valid (trust or peer authentication); dlt would ask for one.
        credentials.password = target.pg_password or ""
        return dlt.destinations.postgres(credentials=credentials)

    def pipeline(self, domain: str, name: str | None = None) -> dlt.Pipeline:
        """The pipeline, opened once per sink (one landing): pending packages of a run that
        died are aborted when it opens."""
        config.safe_identifier(domain, "domain")
        name = pipeline_name(domain, name)
        if name not in self._pipelines:
            self._pipelines[name] = self._open(domain, name)
        return self._pipelines[name]

    def _open(self, domain: str, name: str) -> dlt.Pipeline:
        p = dlt.pipeline(
            pipeline_name=name,
            destination=self.destination(),
            dataset_name=f"raw_{domain}",
            pipelines_dir=str(pipelines_dir(self.target)),
            progress="log" if os.environ.get("WAREHOUSE_PROGRESS") else None,
        )
        if p.has_pending_data:
            # A previous run died between extract and load. Its rows (if any reached the
            # destination) carry a load id that never completed and are ignored by staging;
            # the pending packages are aborted (state and schema restored to before them) and
            # the files are simply landed again.
            p.abort_packages()
        return p

    def landed_checksums(self, domain: str, name: str, lake: Path) -> set[str]:
        """Checksums of files landed by completed loads."""
        return landed_checksums(self.pipeline(domain, name))

    def land_tables(
        self, domain: str, name: str, protocol: str, lake: Path, now: datetime,
        grouped: dict[str, list[pa.Table]], write_disposition: str,
        primary_keys: dict[str, list[str]] | None, main_table: str | None,
        lake_files: list[Path] | None = None,
    ) -> tuple[list[Path], str | None]:
        """One dlt load of whole tables, one resource each; returns (lake files, load id).
        `lake_files`, when given, receives each lake file as soon as it is complete."""
        p = self.pipeline(domain, name)
        written: list[Path] = lake_files if lake_files is not None else []
        resources = []
        for table, tables in grouped.items():
            if table != LANDED_FILES_TABLE:
                label = None if table == main_table else table
                written += lake_mod.write_tables(lake, protocol, domain, label, tables, now)
            resources.append(
                dlt.resource(
                    iter(tables), name=table, write_disposition=write_disposition,
                    primary_key=(primary_keys or {}).get(table),
                )
            )
        info = p.run(resources)
        return list(written), (info.loads_ids[-1] if info.loads_ids else None)

    def land_stream(
        self, domain: str, name: str, protocol: str, lake: Path, now: datetime,
        items: Iterable[tuple[str, pa.Table]], main_table: str | None,
        lake_files: list[Path] | None = None,
    ) -> tuple[list[Path], str | None]:
        """One dlt load of a stream of (table, batch), gathered into batches of about
        BATCH_ROWS rows, each also written to the lake in a thread while dlt writes its own
        copy. The lake files are complete before dlt loads anything."""
        p = self.pipeline(domain, name)
        writers: dict[str, lake_mod.LakeWriter] = {}
        buffered: dict[str, list[pa.Table]] = {}
        written: list[Path] = lake_files if lake_files is not None else []
        lake_pool = ThreadPoolExecutor(max_workers=1)  # one writer thread: batches in order
        lake_writes: deque = deque()

        def flush(table: str) -> Iterator:
            tables = buffered.pop(table, [])
            if not tables:
                return
            if len(tables) > 1:
                with contextlib.suppress(
                    pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError
                ):  # files whose columns differ stay separate batches
                    tables = [pa.concat_tables(tables, promote_options="permissive")]
            if table not in writers:
                label = None if table == main_table else table
                writers[table] = lake_mod.LakeWriter(lake, protocol, domain, label, now)
            for batch in tables:
                lake_writes.append(lake_pool.submit(writers[table].write, batch))
                while len(lake_writes) > 2:  # at most two batches wait for the lake
                    lake_writes.popleft().result()
                yield dlt.mark.with_table_name(batch, table)

        def batches() -> Iterator:
            for table, batch in items:
                if table == LANDED_FILES_TABLE:  # bookkeeping: after the data, not in the lake
                    for pending in list(buffered):
                        yield from flush(pending)
                    yield dlt.mark.with_table_name(batch, table)
                    continue
                buffered.setdefault(table, []).append(batch)
                if sum(t.num_rows for t in buffered[table]) >= BATCH_ROWS:
                    yield from flush(table)
            for pending in list(buffered):
                yield from flush(pending)
            while lake_writes:
                lake_writes.popleft().result()
            for writer in writers.values():  # complete in the lake before dlt loads anything
                written.extend(writer.close())

        try:
            info = p.run(
                dlt.resource(batches(), name=f"{domain}_files", write_disposition="append")
            )
        except BaseException:
            lake_pool.shutdown(wait=True, cancel_futures=True)
            for writer in writers.values():
                writer.abort()
            raise
        finally:
            lake_pool.shutdown(wait=True)
        return list(written), (info.loads_ids[-1] if info.loads_ids else None)

    def land_resources(
        self, p: dlt.Pipeline, domain: str, protocol: str, lake: Path, now: datetime,
        resources: list, staged: dict[str, str | None], lake_files: list[Path] | None = None,
    ) -> tuple[list[Path], str | None, dict[str, int]]:
        """One dlt run of dlt resources (incremental sql tables, REST pages, markers) on
        pipeline `p`; each resource named in `staged` also writes every batch it yields to
        the lake (file label `staged[name]`, None for a run of one table). Returns (lake
        files, load id, rows per table as dlt normalized them, child tables included)."""
        writers: dict[str, lake_mod.LakeWriter] = {}
        to_run = []
        for resource in resources:
            if resource.name in staged:
                writer = lake_mod.LakeWriter(lake, protocol, domain, staged[resource.name], now)
                writers[resource.name] = writer
                resource = resource.add_map(_staging(writer))
            to_run.append(resource)
        try:
            info = p.run(to_run)
        except BaseException:
            for writer in writers.values():
                writer.abort()
            raise
        written: list[Path] = lake_files if lake_files is not None else []
        for writer in writers.values():
            written.extend(writer.close())
        counts = p.last_trace.last_normalize_info.row_counts if p.last_trace else {}
        load_id = info.loads_ids[-1] if info.loads_ids else None
        return list(written), load_id, {t: int(n) for t, n in (counts or {}).items()}

    def write_ctl(self, rows: dict[str, dict]) -> None:
        """Append control rows ({table: row}) in one transaction. Idempotent by run id: a
        table that already holds the row's `run_id` is left alone (a spooled record replayed
        twice, `ingest.audit_spool`)."""
        with warehouse.connect(self.target) as con:
            ctl.ensure_tables(con)
            ctl.execute(con, "begin transaction")
            for table, row in rows.items():
                run_id = row.get("run_id")
                if run_id is not None and ctl.execute(
                    con, f"select 1 from {ctl.SCHEMA}.{table} where run_id = ?", (run_id,)
                ):
                    continue
                ctl.insert(con, table, row)
            ctl.execute(con, "commit")


class LakeSink:
    """Spark: the lake files are the raw tables; ctl rows are Parquet files in the lake."""

    loads_with_dlt = False

    def __init__(self, target: config.Target) -> None:
        self.target = target

    def _no_destination(self) -> config.ConfigError:
        return config.ConfigError(
            f"target {self.target.name!r} is Spark, which reads raw data from the Parquet lake "
            "and has no dlt destination; this load needs one (its incremental state or "
            "landed-row checks live in the destination): run it on DuckDB or PostgreSQL "
            "(docs/spark.md)"
        )

    def destination(self):
        raise self._no_destination()

    def pipeline(self, domain: str, name: str | None = None):
        raise self._no_destination()

    def land_resources(self, p, *args, **kwargs):
        raise self._no_destination()

    def landed_checksums(self, domain: str, name: str, lake: Path) -> set[str]:
        return spark_landing.landed_checksums(lake, domain)

    def land_tables(
        self, domain: str, name: str, protocol: str, lake: Path, now: datetime,
        grouped: dict[str, list[pa.Table]], write_disposition: str,
        primary_keys: dict[str, list[str]] | None, main_table: str | None,
        lake_files: list[Path] | None = None,
    ) -> tuple[list[Path], str | None]:
        written, load_id = spark_landing.write_load(lake, protocol, domain, name, grouped, now)
        if lake_files is not None:
            lake_files.extend(written)
        return written, load_id

    def land_stream(
        self, domain: str, name: str, protocol: str, lake: Path, now: datetime,
        items: Iterable[tuple[str, pa.Table]], main_table: str | None,
        lake_files: list[Path] | None = None,
    ) -> tuple[list[Path], str | None]:
        grouped: dict[str, list[pa.Table]] = {}
        for table, batch in items:
            grouped.setdefault(table, []).append(batch)
        return self.land_tables(domain, name, protocol, lake, now, grouped, "append", None,
                                main_table, lake_files)

    def write_ctl(self, rows: dict[str, dict]) -> None:
        spark_landing.write_ctl_rows(rows)


def _staging(writer: lake_mod.LakeWriter):
    """A map step: write each extracted batch to the lake, then pass it on to dlt unchanged."""

    def staged(item):
        if isinstance(item, pa.Table | pa.RecordBatch):
            writer.write(item)
        elif item:  # JSON records (a page, or one record): nested values stay nested
            writer.write(lake_mod.records_to_arrow(item if isinstance(item, list) else [item]))
        return item

    return staged


def cursor_values(p: dlt.Pipeline, cursor: str) -> dict[str, object]:
    """{resource: last value of its incremental `cursor`} as dlt's pipeline state keeps it:
    the one place incremental watermarks are kept (the `ctl.watermark` and
    `raw_<domain>._watermarks` rows report them)."""
    values: dict[str, object] = {}
    for section in (p.state.get("sources") or {}).values():
        for name, resource in ((section or {}).get("resources") or {}).items():
            inc = (resource or {}).get("incremental") or {}
            if cursor in inc:
                values[name] = inc[cursor].get("last_value")
    return values


def for_target(target: config.Target) -> DltSink | LakeSink:
    return LakeSink(target) if target.is_spark else DltSink(target)


def landed_checksums(p: dlt.Pipeline) -> set[str]:
    """Checksums of files landed by completed loads of pipeline `p`."""
    if not (table_exists(p, LANDED_FILES_TABLE) and table_exists(p, "_dlt_loads")):
        return set()
    with p.sql_client() as client:
        files = client.make_qualified_table_name(LANDED_FILES_TABLE)
        loads = client.make_qualified_table_name("_dlt_loads")
    rows = query(
        p,
        f"select f.sha256 from {files} f join {loads} l "
        "on f._dlt_load_id = l.load_id where l.status = 0",
    )
    return {r[0] for r in rows}


def query(p: dlt.Pipeline, sql: str) -> list[tuple]:
    with p.sql_client() as client, client.execute_query(sql) as cur:
        return list(cur.fetchall())


def table_exists(p: dlt.Pipeline, table: str) -> bool:
    with p.sql_client() as client:
        schema = client.dataset_name
    name = config.safe_identifier(table, "table")
    rows = query(
        p,
        "select count(*) from information_schema.tables "
        f"where table_schema = '{schema}' and table_name = '{name}'",
    )
    return rows[0][0] > 0
