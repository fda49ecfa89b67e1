"""The one way data lands: Parquet lake, then dlt into `raw_<domain>`, then an audit row.

Every run (a domain load or a generic `ingest run`) goes the same way:
1. each Arrow table is written to the lake (`ingest.generic.lake`), one Parquet file per table;
2. the target's sink (`ingest.sink`) takes it: dlt loads it into `raw_<domain>` on DuckDB
   and PostgreSQL; on Spark the lake files are the raw tables and nothing more is written;
3. one row goes to `ctl.etl_audit_log` and `ctl.etl_run` (`ingest.audit`), status `success`
   or `failure`; a failed run writes its failure row and then raises the error.

Every file landing is tracked per file in `raw_<domain>._landed_files` (name, checksum, rows).
A file whose checksum already landed in a *completed* load is skipped, so re-running a
load lands nothing new. Rows of a load that crashed half-way carry a load id that never
reaches `_dlt_loads`; staging reads only completed loads (macro `landed`), and the next
run lands those files again, so nothing is lost and nothing doubled.
"""

from __future__ import annotations

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

from ingest import audit, audit_spool, config, failures, sink
from ingest.audit import describe_error
from ingest.generic import lake as lake_mod
from ingest.log import bind_run, done_progress, progress, say
from ingest.readers import REJECTED_LINES
from ingest.sink import (  # noqa: F401  (re-exported for the loaders)
    BATCH_ROWS,
    LANDED_FILES_TABLE,
    landed_checksums,
    pipelines_dir,
    query,
    table_exists,
)


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


def destination(target: config.Target):
    """The target's dlt destination (a clear error on Spark, which has none)."""
    return sink.for_target(target).destination()


def pipeline(domain: str, target: config.Target | None = None, pipeline_name: str | None = None):
    """The domain's dlt pipeline on the target (`warehouse_<domain>` unless named)."""
    return sink.for_target(target or config.target()).pipeline(domain, pipeline_name)


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
    """Write the run's audit row when the block ends: `success`, or `failure` and re-raise.

    A row the warehouse cannot take (busy, unreachable) is spooled beside it and written by
    the next run that holds it (`ingest.audit_spool`)."""
    bind_run(record.run_id)  # the operator's lines from here on carry this run's id
    try:
        with failures.step(f"landing {record.target_table} ({record.pipeline_name})"):
            yield record
    except BaseException as exc:
        record.finish("failure", describe_error(exc))
        try:
            audit_spool.write_or_spool(record, target, eprint)
        except Exception as audit_exc:  # the original error matters more; say both
            eprint(f"warning: audit row not written: {describe_error(audit_exc)}")
        raise
    record.finish("success")
    try:
        audit_spool.write_or_spool(record, target, eprint)
    except Exception as exc:  # loaded but not recorded: the run must not report success
        record.finish("failure", f"audit row not written: {describe_error(exc)}")
        raise


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
    for name, tables in grouped.items():
        summary.rows_by_table[name] = sum(t.num_rows for t in tables)
    record.parquet_files = []
    summary.parquet_files, summary.load_id = sink.for_target(target).land_tables(
        domain, sink.pipeline_name(domain, pipeline_name), protocol, lake, now, grouped,
        write_disposition, primary_keys, main_table, record.parquet_files,
    )
    record.parquet_files = list(summary.parquet_files)
    return _finish_summary(summary, record, started)


def _finish_summary(summary: LoadSummary, record: audit.RunRecord, started: float) -> LoadSummary:
    summary.seconds = time.perf_counter() - started
    data = {t: n for t, n in summary.rows_by_table.items() if t != LANDED_FILES_TABLE}
    record.rows_loaded = sum(n for t, n in data.items() if t != REJECTED_LINES)
    record.detail = ", ".join(f"{t} {n}" for t, n in sorted(data.items()))
    return summary


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
    target_sink = sink.for_target(target)
    pipeline_name = sink.pipeline_name(domain, pipeline_name)
    lake = Path(lake) if lake else lake_mod.default_dir()
    already = target_sink.landed_checksums(domain, pipeline_name, lake)
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
    read_errors: list[BaseException] = []

    def items() -> Iterator[tuple[str, pa.Table]]:
        for landed, tables in _read_files(todo, read_file, workers, read_errors):
            for name, table in tables:
                summary.rows_by_table[name] = summary.rows_by_table.get(name, 0) + table.num_rows
                yield name, table
            summary.files_landed.append(landed)
            progress(f"{domain}: read {len(summary.files_landed)}/{len(todo)} file(s), "
                     f"{sum(summary.rows_by_table.values()):,} row(s); last {landed.path.name}")
        done_progress()
        yield LANDED_FILES_TABLE, _files_table(summary.files_landed)

    try:
        summary.parquet_files, summary.load_id = target_sink.land_stream(
            domain, pipeline_name, protocol, lake, datetime.now(UTC), items(), main_table,
            record.parquet_files,
        )
    except BaseException:
        if read_errors:  # a file that cannot be read: its own error, not dlt's wrapper
            raise read_errors[0] from None
        raise
    record.parquet_files = list(summary.parquet_files)
    return _finish_summary(summary, record, started)


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
