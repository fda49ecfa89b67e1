"""The one way data lands: Parquet lake, then dlt into `raw_<domain>`, then an audit row.

Every run (a domain load or a generic `ingest run`) goes the same way:
1. each Arrow table is written to the lake (`ingest.generic.lake`), one Parquet file per table;
2. dlt loads it into `raw_<domain>` on the selected target (on Spark the lake files are the
   raw tables and nothing more is written: `ingest.spark_landing`);
3. one row goes to `ctl.etl_audit_log` and `ctl.etl_run` (`ingest.audit`), status `success`
   or `failure`; a failed run writes its failure row and then raises the error.

Every file landing is tracked per file in `raw_<domain>._landed_files` (name, checksum, rows).
A file whose checksum already landed in a *completed* load is skipped, so re-running a
load lands nothing new. Rows of a load that crashed half-way carry a load id that never
reaches `_dlt_loads`; staging reads only completed loads (macro `landed`), and the next
run lands those files again, so nothing is lost and nothing doubled.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import pyarrow as pa

from ingest import audit, config, failures, spark_landing
from ingest.generic import lake as lake_mod
from ingest.readers import REJECTED_LINES

# dlt adds `_dlt_load_id` to Arrow data only with this switch; it must be on before the
# first load of a table (adding the NOT NULL column later fails on DuckDB).
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
# Load files are read once, right away, from local disk: gzip would only cost time (on
# PostgreSQL, whose load files are CSV for COPY, two thirds of a landing's time).
os.environ.setdefault("DATA_WRITER__DISABLE_COMPRESSION", "true")
# and once loaded they are not read again (the Parquet lake keeps every row landed)
os.environ.setdefault("LOAD__DELETE_COMPLETED_JOBS", "true")
os.environ.setdefault("RUNTIME__LOG_LEVEL", "WARNING")
os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

import dlt  # noqa: E402  (after the environment switches above)

from ingest.log import bind_run, done_progress, progress, say


class _OneLineRecords(logging.Filter):
    """dlt logs a failed load job with its traceback before the run fails; the run then says
    what happened in one line (ingest.failures), so dlt's record keeps one line too: its
    message and the error's own text."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Traceback (most recent call last)" in message:  # a job's failure, formatted
            head, _, trace = message.partition("Traceback (most recent call last)")
            last = [line for line in trace.splitlines() if line and not line[0].isspace()]
            message = f"{head.strip()} {last[-1] if last else ''}".strip()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f": {type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        record.msg, record.args = message, None
        record.exc_info = record.exc_text = None
        return True


logging.getLogger("dlt").addFilter(_OneLineRecords())

LANDED_FILES_TABLE = "_landed_files"
# Rows gathered per batch when many files land in one run (bounds memory per table).
BATCH_ROWS = 500_000


@dataclass
class LandedFile:
    path: Path
    table: str
    sha256: str
    size_bytes: int
    rows: int = 0
    rejected_lines: int = 0


@dataclass
class LoadSummary:
    domain: str
    target: str
    load_id: str | None = None
    files_landed: list[LandedFile] = field(default_factory=list)
    files_skipped: list[Path] = field(default_factory=list)
    rows_by_table: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    run_id: str | None = None
    parquet_files: list[Path] = field(default_factory=list)

    @property
    def rows_loaded(self) -> int:
        return sum(self.rows_by_table.values())

    def describe(self) -> str:
        head = (
            f"{self.domain}: landed {len(self.files_landed)} file(s), {self.rows_loaded:,} row(s) "
            f"into raw_{self.domain} on {self.target} in {self.seconds:.1f}s"
        )
        if self.files_skipped:
            head += f"; {len(self.files_skipped)} file(s) already landed, skipped"
        lines = [head]
        lines += [f"  {t:<28} {n:>10,}" for t, n in sorted(self.rows_by_table.items())]
        if self.parquet_files:
            lines.append(f"  lake: {len(self.parquet_files)} Parquet file(s) in "
                         f"{self.parquet_files[0].parent}")
        if self.run_id:
            lines.append(f"  run id: {self.run_id} (ctl.etl_audit_log)")
        return "\n".join(lines)


def pipelines_dir(target: config.Target) -> Path:
    """dlt's working folder, one per warehouse, so throwaway warehouses never share state."""
    key = str(target.duckdb_path) if target.is_duckdb else target.pg_url()
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return config.data_dir() / ".dlt" / f"{target.name}_{digest}"


def destination(target: config.Target):
    if target.is_spark:
        raise config.ConfigError(
            f"target {target.name!r} is Spark, which reads raw data from the Parquet lake and has "
            "no dlt destination; this load needs one (its incremental state or landed-row "
            "checks live in the destination): run it on DuckDB or PostgreSQL (docs/spark.md)"
        )
    if target.is_duckdb:
        target.duckdb_path.parent.mkdir(parents=True, exist_ok=True)
        return dlt.destinations.duckdb(credentials=str(target.duckdb_path))
    from dlt.destinations.impl.postgres.configuration import PostgresCredentials

    credentials = PostgresCredentials()
    credentials.parse_native_representation(target.pg_url())
    # An empty password is valid (trust or peer authentication); dlt would ask for one.
    credentials.password = target.pg_password or ""
    return dlt.destinations.postgres(credentials=credentials)


def pipeline(
    domain: str, target: config.Target | None = None, pipeline_name: str | None = None
) -> dlt.Pipeline:
    target = target or config.target()
    config.safe_identifier(domain, "domain")
    p = dlt.pipeline(
        pipeline_name=config.safe_identifier(pipeline_name or f"warehouse_{domain}", "pipeline"),
        destination=destination(target),
        dataset_name=f"raw_{domain}",
        pipelines_dir=str(pipelines_dir(target)),
        progress="log" if os.environ.get("WAREHOUSE_PROGRESS") else None,
    )
    if p.has_pending_data:
        # A previous run died between extract and load. Its rows (if any reached the
        # destination) carry a load id that never completed and are ignored by staging;
        # the pending packages are aborted (state and schema restored to before them) and
        # the files are simply landed again below.
        p.abort_packages()
    return p


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


def landed_checksums(p: dlt.Pipeline) -> set[str]:
    """Checksums of files landed by completed loads."""
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


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def new_run(
    pipeline_name: str, source: str, protocol: str, target_table: str, command: str
) -> audit.RunRecord:
    return audit.RunRecord(
        run_id=str(uuid.uuid4()),
        pipeline_name=pipeline_name,
        source_name=source,
        protocol=protocol,
        target_table=target_table,
        command=command,
        started_at=datetime.now(UTC),
    )


@contextmanager
def audited(record: audit.RunRecord, target: config.Target) -> Iterator[audit.RunRecord]:
    """Write the run's audit row when the block ends: `success`, or `failure` and re-raise."""
    bind_run(record.run_id)  # the operator's lines from here on carry this run's id
    try:
        with failures.step(f"landing {record.target_table} ({record.pipeline_name})"):
            yield record
    except BaseException as exc:
        record.finish("failure", describe_error(exc))
        try:
            audit.write_run(record, target)
        except Exception as audit_exc:  # the original error matters more; say both
            eprint(f"warning: audit row not written: {describe_error(audit_exc)}")
        raise
    record.finish("success")
    try:
        audit.write_run(record, target)
    except Exception as exc:  # loaded but not recorded: the run must not report success
        record.finish("failure", f"audit row not written: {describe_error(exc)}")
        raise


def describe_error(exc: BaseException) -> str:
    """One readable line: the innermost cause, with dlt's step when dlt wrapped it."""
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    root = exc
    seen = {id(root)}
    while (nxt := _cause(root)) is not None and id(nxt) not in seen:
        seen.add(id(nxt))
        root = nxt
    text = " ".join(str(root).split()) or type(root).__name__
    step = getattr(exc, "step", None)
    prefix = f"{step} step failed: " if step else ""
    return f"{prefix}{type(root).__name__}: {text}"[: audit.MAX_MESSAGE]


def _cause(exc: BaseException) -> BaseException | None:
    if exc.__cause__ is not None:
        return exc.__cause__
    return None if exc.__suppress_context__ else exc.__context__


def land_tables(
    domain: str,
    batches: Iterable[tuple[str, pa.Table]],
    *,
    target: config.Target | None = None,
    write_disposition: str = "append",
    primary_keys: dict[str, list[str]] | None = None,
    protocol: str = "tables",
    pipeline_name: str | None = None,
    lake: Path | None = None,
) -> LoadSummary:
    """Land Arrow tables (name, table) into raw_<domain> in one dlt load, via the lake.

    One audited run: the tables go to the Parquet lake, then to the warehouse, then a row
    to `ctl.etl_audit_log` (also when it fails, before the error is raised).
    """
    target = target or config.target()
    pipeline_name = pipeline_name or f"warehouse_{domain}"
    record = new_run(pipeline_name, domain, protocol, f"raw_{domain}", f"load {domain}")
    with audited(record, target):
        summary = land_tables_in_run(
            domain, batches, target, write_disposition, primary_keys, protocol,
            pipeline_name, lake, record,
        )
    return summary


def land_tables_in_run(
    domain: str,
    batches: Iterable[tuple[str, pa.Table]],
    target: config.Target,
    write_disposition: str,
    primary_keys: dict[str, list[str]] | None,
    protocol: str,
    pipeline_name: str,
    lake: Path | None,
    record: audit.RunRecord,
    main_table: str | None = None,
) -> LoadSummary:
    """The work of `land_tables`, inside a run the caller audits (see `audited`).

    Each table's lake file is `<domain>_<table>_<ts>.parquet`; `main_table` (a run of one
    table) is written as `<domain>_<ts>.parquet`.
    """
    started = time.perf_counter()
    summary = LoadSummary(domain, target.describe(), run_id=record.run_id)
    grouped: dict[str, list[pa.Table]] = {}
    for name, table in batches:
        grouped.setdefault(name, []).append(table)
    if not grouped:
        summary.seconds = time.perf_counter() - started
        return summary
    now = datetime.now(UTC)
    lake = Path(lake) if lake else lake_mod.default_dir()
    if target.is_spark:  # the lake is the raw layer: no dlt load (ingest.spark_landing)
        for name, tables in grouped.items():
            summary.rows_by_table[name] = sum(t.num_rows for t in tables)
        summary.parquet_files, summary.load_id = spark_landing.write_load(
            lake, protocol, domain, pipeline_name, grouped, now
        )
        record.parquet_files = list(summary.parquet_files)
        return _finish_summary(summary, record, started)
    p = pipeline(domain, target, pipeline_name)
    resources = []
    for name, tables in grouped.items():
        summary.rows_by_table[name] = sum(t.num_rows for t in tables)
        if name != LANDED_FILES_TABLE:
            label = None if name == main_table else name
            written = lake_mod.write_tables(lake, protocol, domain, label, tables, now)
            summary.parquet_files += written
            record.parquet_files = list(summary.parquet_files)
        resources.append(
            dlt.resource(
                _yield_all(tables),
                name=name,
                write_disposition=write_disposition,
                primary_key=(primary_keys or {}).get(name),
            )
        )
    info = p.run(resources)
    summary.load_id = info.loads_ids[-1] if info.loads_ids else None
    return _finish_summary(summary, record, started)


def _finish_summary(summary: LoadSummary, record: audit.RunRecord, started: float) -> LoadSummary:
    summary.seconds = time.perf_counter() - started
    data = {t: n for t, n in summary.rows_by_table.items() if t != LANDED_FILES_TABLE}
    record.rows_loaded = sum(n for t, n in data.items() if t != REJECTED_LINES)
    record.detail = ", ".join(f"{t} {n}" for t, n in sorted(data.items()))
    return summary


def _yield_all(tables: list[pa.Table]) -> Iterator[pa.Table]:
    yield from tables


def land_files(
    domain: str,
    files: Iterable[Path],
    read_file,
    *,
    target: config.Target | None = None,
    protocol: str = "files",
    pipeline_name: str | None = None,
    lake: Path | None = None,
    workers: int = 1,
) -> LoadSummary:
    """Land each file once. `read_file(path) -> list[(table_name, arrow_table)]`.

    `workers` > 1 reads that many files at once in threads: only for a `read_file` that is
    safe to call from several threads.

    The per-file bookkeeping row (`_landed_files`) lands in the same dlt load as the data,
    so a file counts as landed only when its load completed. One audited run, like
    `land_tables`; a file that cannot be read fails the run (and is landed by a later run).
    """
    target = target or config.target()
    pipeline_name = pipeline_name or f"warehouse_{domain}"
    record = new_run(pipeline_name, domain, protocol, f"raw_{domain}", f"load {domain}")
    with audited(record, target):
        summary = land_files_in_run(domain, files, read_file, target, protocol, pipeline_name,
                                    lake, record, workers=workers)
    return summary


def land_files_in_run(
    domain: str,
    files: Iterable[Path],
    read_file,
    target: config.Target,
    protocol: str,
    pipeline_name: str,
    lake: Path | None,
    record: audit.RunRecord,
    main_table: str | None = None,
    workers: int = 1,
) -> LoadSummary:
    """The work of `land_files`, inside a run the caller audits (see `audited`).

    Files stream through (read, gathered into batches of about BATCH_ROWS rows, written to
    the lake, handed to dlt), so memory follows the batch size or the largest file, not the
    whole run; `workers` files are read ahead in threads (only for a `read_file` that is safe
    to call from several threads). Nothing reaches the warehouse until every file has been
    read: a file that cannot be read fails the run in dlt's extract step, before any load.
    """
    started = time.perf_counter()
    p = None
    if target.is_spark:
        already = spark_landing.landed_checksums(lake or lake_mod.default_dir(), domain)
    else:
        p = pipeline(domain, target, pipeline_name)
        already = landed_checksums(p)
    summary = LoadSummary(domain, target.describe(), run_id=record.run_id)
    todo: list[tuple[Path, str]] = []
    seen: set[str] = set()
    paths = sorted(Path(f) for f in files)
    for path, digest in zip(paths, _map_ahead(sha256_of, paths, os.cpu_count() or 1), strict=True):
        if digest in already or digest in seen:
            summary.files_skipped.append(path)
            continue
        seen.add(digest)
        todo.append((path, digest))
    if not todo:
        summary.seconds = time.perf_counter() - started
        return summary
    if target.is_spark:  # the lake is the raw layer (ingest.spark_landing)
        batches: list[tuple[str, pa.Table]] = []
        for landed, tables in _read_files(todo, read_file, workers):
            batches += tables
            summary.files_landed.append(landed)
        batches.append((LANDED_FILES_TABLE, _files_table(summary.files_landed)))
        inner = land_tables_in_run(
            domain, batches, target, "append", None, protocol, pipeline_name, lake, record,
            main_table,
        )
        summary.load_id = inner.load_id
        summary.parquet_files = inner.parquet_files
        summary.rows_by_table = {
            k: v for k, v in inner.rows_by_table.items() if k != LANDED_FILES_TABLE
        }
    else:
        _stream_files(p, domain, todo, read_file, protocol, lake, record, main_table, workers,
                      summary)
    return _finish_summary(summary, record, started)


def _stream_files(
    p: dlt.Pipeline,
    domain: str,
    todo: list[tuple[Path, str]],
    read_file,
    protocol: str,
    lake: Path | None,
    record: audit.RunRecord,
    main_table: str | None,
    workers: int,
    summary: LoadSummary,
) -> None:
    """One dlt load (pipeline `p`) of every file in `todo`, each file's tables also written to
    the lake."""
    now = datetime.now(UTC)
    lake = Path(lake) if lake else lake_mod.default_dir()
    writers: dict[str, lake_mod.LakeWriter] = {}
    buffered: dict[str, list[pa.Table]] = {}

    def flush(name: str) -> Iterator:
        tables = buffered.pop(name, [])
        if not tables:
            return
        if len(tables) > 1:
            with contextlib.suppress(
                pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError
            ):  # files whose columns differ stay separate batches
                tables = [pa.concat_tables(tables, promote_options="permissive")]
        if name not in writers:
            label = None if name == main_table else name
            writers[name] = lake_mod.LakeWriter(lake, protocol, domain, label, now)
        for table in tables:
            # the lake file is written in a thread while dlt writes its own copy
            lake_writes.append(lake_pool.submit(writers[name].write, table))
            while len(lake_writes) > 2:  # at most two batches wait for the lake
                lake_writes.popleft().result()
            yield dlt.mark.with_table_name(table, name)

    def items() -> Iterator:
        # many small files are gathered into batches of about BATCH_ROWS rows: large Parquet
        # row groups write and load faster than one per file
        for landed, tables in _read_files(todo, read_file, workers, read_errors):
            for name, table in tables:
                summary.rows_by_table[name] = summary.rows_by_table.get(name, 0) + table.num_rows
                buffered.setdefault(name, []).append(table)
                if sum(t.num_rows for t in buffered[name]) >= BATCH_ROWS:
                    yield from flush(name)
            summary.files_landed.append(landed)
            progress(f"{domain}: read {len(summary.files_landed)}/{len(todo)} file(s), "
                     f"{sum(summary.rows_by_table.values()):,} row(s); last {landed.path.name}")
        done_progress()
        for name in list(buffered):
            yield from flush(name)
        yield dlt.mark.with_table_name(_files_table(summary.files_landed), LANDED_FILES_TABLE)
        while lake_writes:
            lake_writes.popleft().result()
        for writer in writers.values():  # complete in the lake before dlt loads anything
            summary.parquet_files += writer.close()
        record.parquet_files = list(summary.parquet_files)

    lake_pool = ThreadPoolExecutor(max_workers=1)  # one writer thread: batches stay in order
    lake_writes: deque = deque()
    read_errors: list[BaseException] = []
    try:
        info = p.run(dlt.resource(items(), name=f"{domain}_files", write_disposition="append"))
    except BaseException:
        lake_pool.shutdown(wait=True, cancel_futures=True)
        for writer in writers.values():
            writer.abort()
        if read_errors:  # a file that cannot be read: its own error, not dlt's wrapper
            raise read_errors[0] from None
        raise
    finally:
        lake_pool.shutdown(wait=True)
    summary.load_id = info.loads_ids[-1] if info.loads_ids else None


def _read_files(todo: list[tuple[Path, str]], read_file, workers: int,
                errors: list[BaseException] | None = None,
                ) -> Iterator[tuple[LandedFile, list[tuple[str, pa.Table]]]]:
    """(LandedFile, tables) per file, in order; `workers` files read ahead in threads.

    A reader's exception is also appended to `errors` (dlt wraps what a resource raises).
    """
    results = _map_ahead(read_file, [p for p, _ in todo], workers)
    for path, digest in todo:
        try:
            tables = next(results)
        except BaseException as exc:
            if errors is not None:
                errors.append(exc)
            raise
        landed = LandedFile(path, "", digest, path.stat().st_size)
        for name, table in tables:
            landed.table = landed.table or name
            if name == REJECTED_LINES:
                landed.rejected_lines += table.num_rows
            else:
                landed.rows += table.num_rows
        yield landed, tables


def _map_ahead(func, items: list, workers: int) -> Iterator:
    """`map(func, items)` in order, up to `workers` calls running ahead in threads."""
    if workers <= 1:
        yield from map(func, items)
        return
    pool = ThreadPoolExecutor(max_workers=workers)
    pending: deque = deque()
    try:
        it = iter(items)
        for item in islice(it, workers * 2):
            pending.append(pool.submit(func, item))
        while pending:
            result = pending.popleft().result()
            for item in islice(it, 1):
                pending.append(pool.submit(func, item))
            yield result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _files_table(files: list[LandedFile]) -> pa.Table:
    return pa.table(
        {
            "file_name": pa.array([f.path.name for f in files], pa.string()),
            "file_path": pa.array([str(f.path) for f in files], pa.string()),
            "table_name": pa.array([f.table for f in files], pa.string()),
            "sha256": pa.array([f.sha256 for f in files], pa.string()),
            "size_bytes": pa.array([f.size_bytes for f in files], pa.int64()),
            "row_count": pa.array([f.rows for f in files], pa.int64()),
            "rejected_line_count": pa.array([f.rejected_lines for f in files], pa.int64()),
        }
    )


def eprint(*args) -> None:
    say(*args)
