"""`python -m ingest run`: land one table of a configured source, through the Parquet lake.

    python -m ingest run --config CONFIG --source NAME --table TABLE
                         [--query SQL] [--schema NAME]
                         [--lake DIR] [--target dev|ci|pg] [--pipeline NAME]

`--query` and `--schema` (sql sources) set the table's `query` and `schema` for this run over
what the configuration says; the configuration file stays the way to keep them.

Raw rows of sql and rest sources carry `_loaded_at` (the run's start, UTC) and `_source`
(`sql:<source>.<schema>.<table>`, `sql:<source>.query` or `rest:<url>`), as file rows carry
`_source_file` and `_source_row_number`.

stdout: one JSON object (`run_id`, `status`, `rows_loaded`, `parquet_files`,
`duration_seconds`, and `error` when it failed); stderr: progress and a summary.
Exit codes: 0 success, 1 a failed run (its audit row says why), 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ingest import audit, audit_spool, config, runner, sink
from ingest.generic import files, rest, sql
from ingest.generic import lake as lake_mod
from ingest.generic import settings as cfg


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", required=True, type=Path, help="source configuration (TOML or JSON)")
    p.add_argument("--source", required=True, help="source name in the configuration")
    p.add_argument("--table", required=True, help="table to land, as raw_<source>.<table>")
    p.add_argument("--query", help="sql sources: a SELECT to land instead of the table")
    p.add_argument("--schema", help="sql sources: the database schema the table is in")
    p.add_argument("--lake", type=Path, help="Parquet lake folder (default <data dir>/lake)")
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")
    p.add_argument("--pipeline", help="pipeline name (default ingest_<source>)")


def run_run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    try:
        source, settings, target, pipeline_name = _resolve(args)
    except config.ConfigError as exc:
        runner.eprint(f"error: {exc}")
        run_id = _audit_bad_usage(args, exc)
        _emit({"run_id": run_id, "status": "failure", "rows_loaded": 0, "parquet_files": [],
               "duration_seconds": round(time.perf_counter() - started, 3),
               "error": f"bad usage: {exc}"})
        return 2
    record = runner.new_run(
        pipeline_name, source.name, source.protocol, f"raw_{source.name}.{args.table}",
        f"run --source {source.name} --table {args.table}",
    )
    lake = args.lake.resolve() if args.lake else lake_mod.default_dir()
    runner.eprint(f"{source.name}.{args.table}: {source.protocol} source -> "
                  f"raw_{source.name}.{args.table} on {target.describe()}")
    try:
        with runner.audited(record, target):
            detail = PROTOCOLS[source.protocol](source, args.table, settings, target, lake, record)
    except Exception as exc:
        runner.eprint(f"error: {record.error_message}")
        _emit(_result(record, error=record.error_message or str(exc)))
        return 2 if isinstance(exc, config.ConfigError) else 1
    runner.eprint(f"{source.name}.{args.table}: {record.rows_loaded:,} row(s) loaded, "
                  f"{len(record.parquet_files)} Parquet file(s), {record.duration_seconds:.1f}s"
                  + (f"\n  {detail}" if detail else "")
                  + f"\n  run id: {record.run_id} (ctl.etl_audit_log)")
    _emit(_result(record))
    return 0


def _resolve(args) -> tuple[cfg.Source, dict, config.Target, str]:
    source = cfg.pick(cfg.load(args.config), args.source)
    settings = source.table(args.table)
    given = {"query": getattr(args, "query", None), "schema": getattr(args, "schema", None)}
    given = {key: value for key, value in given.items() if value is not None}
    if given and source.protocol != "sql":
        raise config.ConfigError(
            f"--{' and --'.join(given)}: only for sql sources; {source.name!r} is "
            f"{source.protocol}"
        )
    if "schema" in given:
        config.safe_identifier(given["schema"], "--schema")
    if "query" in given and not given["query"].strip():
        raise config.ConfigError("--query is empty")
    settings = {**settings, **given}
    target = config.target(args.target)
    pipeline_name = config.safe_identifier(args.pipeline or f"ingest_{source.name}", "pipeline")
    CHECK_SETTINGS[source.protocol](source)  # secrets and URLs present: a usage error if not
    return source, settings, target, pipeline_name


def _result(record: audit.RunRecord, error: str | None = None) -> dict:
    out = {
        "run_id": record.run_id,
        "status": record.status,
        "rows_loaded": record.rows_loaded,
        "parquet_files": [str(p) for p in record.parquet_files],
        "duration_seconds": record.duration_seconds,
        "source": record.source_name,
        "target_table": record.target_table,
    }
    if error:
        out["error"] = error
    return out


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _audit_bad_usage(args, exc: Exception) -> str | None:
    """Record a refused run too, when the warehouse itself is known (values stored as data)."""
    try:
        target = config.target(args.target)
        record = runner.new_run(
            str(args.pipeline or f"ingest_{args.source}"), str(args.source), "unknown",
            f"raw_{args.source}.{args.table}", f"run --source {args.source} --table {args.table}",
        )
        record.finish("failure", f"bad usage: {exc}")
        audit_spool.write_or_spool(record, target, runner.eprint)
        return record.run_id
    except Exception as audit_exc:  # a usage error must still be reported as one
        runner.eprint(f"warning: audit row not written: {runner.describe_error(audit_exc)}")
        return None


def _run_sql(source, table, settings, target, lake, record) -> str:
    import dlt

    eng = sql.engine(source)
    cursor = settings.get("cursor")
    seen = {"max": None}
    origin = f"sql:{source.name}." + (
        "query" if settings.get("query")
        else ".".join(filter(None, [settings.get("schema"), settings.get("source_table", table)]))
    )

    # The source resource applies the incremental filter; this transformer sees only the rows
    # that pass it and adds where they came from (the sink then stages them to the lake).
    @dlt.transformer(
        name=table,
        write_disposition=settings.get("write_disposition", "append"),
        primary_key=cfg.primary_key(settings),
    )
    def provenance(item):
        batch = item if isinstance(item, pa.Table) else pa.Table.from_batches([item])
        batch = _with_provenance(batch, origin, record.started_at)
        if cursor and batch.num_rows and cursor in batch.column_names:
            top = pc.max(batch[cursor]).as_py()
            if top is not None and (seen["max"] is None or top > seen["max"]):
                seen["max"] = top
        yield batch

    target_sink = sink.for_target(target)
    try:
        p = target_sink.pipeline(source.name, record.pipeline_name)
        runner.eprint(f"  reading {table} (cursor {cursor or 'none'}) and staging to the lake")
        resource = sql.resource(source, table, settings, eng) | provenance
        record.parquet_files = []
        _, _, counts = target_sink.land_resources(
            p, source.name, "sql", lake, datetime.now(UTC), [resource], staged={table: None},
            lake_files=record.parquet_files,
        )
    finally:
        eng.dispose()
    record.rows_loaded = int(counts.get(table, 0))
    runner.eprint(f"  staged and loaded {record.rows_loaded:,} row(s)")
    if not cursor:
        return ""
    last = sink.cursor_values(p, cursor).get(table)
    if last is None:
        last = seen["max"]
    previous, _ = audit.read_watermark(source.name, table, target)
    value = _text(last) if last is not None else previous
    audit.write_watermark(source.name, table, cursor, value, record.rows_loaded, record.run_id,
                          target)
    return f"watermark {cursor} = {value}"


# Where a raw row of an sql or rest source came from, as `_source_file` says for a file row.
LOADED_AT = "_loaded_at"
SOURCE = "_source"


def _with_provenance(batch: pa.Table, origin: str, loaded_at) -> pa.Table:
    """The batch with `_loaded_at` (the run's start, UTC) and `_source` (`sql:<source>.<table>`
    or `sql:<source>.query`) appended."""
    n = batch.num_rows
    batch = batch.append_column(
        LOADED_AT, pa.array([loaded_at] * n, pa.timestamp("us", tz="UTC"))
    )
    return batch.append_column(SOURCE, pa.array([origin] * n, pa.string()))


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _run_rest(source, table, settings, target, lake, record) -> str:
    import dlt

    records: list[dict] = []
    origin = f"rest:{rest.table_url(source, table, settings)}"
    for number, page in enumerate(rest.pages(source, table, settings), start=1):
        records.extend({**item, LOADED_AT: record.started_at, SOURCE: origin} for item in page)
        runner.eprint(f"  page {number}: {len(page)} record(s)")

    def every_page():
        if records:
            yield records  # one batch: one lake file, nested values kept nested

    record.rows_loaded = len(records)
    runner.eprint(f"  staging {len(records):,} record(s) to the lake; loading")
    target_sink = sink.for_target(target)
    p = target_sink.pipeline(source.name, record.pipeline_name)
    resource = dlt.resource(
        every_page, name=table,
        write_disposition=settings.get("write_disposition", "append"),
        primary_key=cfg.primary_key(settings),
    )
    record.parquet_files = []
    _, _, counts = target_sink.land_resources(
        p, source.name, "rest", lake, datetime.now(UTC), [resource], staged={table: None},
        lake_files=record.parquet_files,
    )
    children = {t: n for t, n in counts.items() if t.startswith(f"{table}__")}
    return ", ".join(f"child table {t}: {n} row(s)" for t, n in sorted(children.items()))


def _run_files(source, table, settings, target, lake, record) -> str:
    found = files.discover(source, settings)
    runner.eprint(f"  {len(found)} file(s) match {files.pattern(source, settings)}")
    summary = runner.land_files_in_run(
        source.name, found, files.reader(table, settings), target, "files",
        record.pipeline_name, lake, record, main_table=table,
    )
    skipped = len(summary.files_skipped)
    return f"{len(summary.files_landed)} file(s) landed, {skipped} already landed"


PROTOCOLS = {"sql": _run_sql, "rest": _run_rest, "files": _run_files}
CHECK_SETTINGS = {
    "sql": sql.url,
    "rest": rest.check_settings,
    "files": lambda source: None,
}
