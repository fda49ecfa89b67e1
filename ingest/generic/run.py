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
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from ingest import audit, audit_spool, config, runner
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
    writer = lake_mod.LakeWriter(lake, "sql", source.name)
    cursor = settings.get("cursor")
    seen = {"max": None}

    # The source resource applies the incremental filter; this transformer sees only the
    # rows that pass it, stages them to the lake and hands them on to dlt unchanged.
    @dlt.transformer(
        name=table,
        write_disposition=settings.get("write_disposition", "append"),
        primary_key=cfg.primary_key(settings),
    )
    def staged(item):
        batch = item if isinstance(item, pa.Table) else pa.Table.from_batches([item])
        batch = _with_provenance(batch, origin, loaded_at)
        writer.write(batch)
        if cursor and batch.num_rows and cursor in batch.column_names:
            top = pc.max(batch[cursor]).as_py()
            if top is not None and (seen["max"] is None or top > seen["max"]):
                seen["max"] = top
        yield batch

    origin = f"sql:{source.name}." + (
        "query" if settings.get("query")
        else ".".join(filter(None, [settings.get("schema"), settings.get("source_table", table)]))
    )
    loaded_at = record.started_at
    try:
        p = runner.pipeline(source.name, target, record.pipeline_name)
        runner.eprint(f"  reading {table} (cursor {cursor or 'none'}) and staging to the lake")
        try:
            p.extract(sql.resource(source, table, settings, eng) | staged)
        except BaseException:
            writer.abort()
            raise
        record.parquet_files = writer.close()
        record.rows_loaded = writer.rows
        runner.eprint(f"  staged {writer.rows:,} row(s); loading")
        p.normalize()
        p.load()
    finally:
        eng.dispose()
    if not cursor:
        return ""
    last = _state_last_value(p.state, table, cursor)
    if last is None:
        last = seen["max"]
    previous, _ = audit.read_watermark(source.name, table, target)
    value = _text(last) if last is not None else previous
    audit.write_watermark(source.name, table, cursor, value, writer.rows, record.run_id, target)
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


def _state_last_value(state: dict, resource: str, cursor: str):
    """The incremental cursor's last value from dlt's pipeline state, where it keeps it."""
    for section in (state.get("sources") or {}).values():
        inc = (((section or {}).get("resources") or {}).get(resource) or {}).get("incremental")
        if inc and cursor in inc:
            return inc[cursor].get("last_value")
    return None


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _run_rest(source, table, settings, target, lake, record) -> str:
    import dlt

    records: list[dict] = []
    origin = f"rest:{rest.table_url(source, table, settings)}"
    for number, page in enumerate(rest.pages(source, table, settings), start=1):
        records.extend({**item, LOADED_AT: record.started_at, SOURCE: origin} for item in page)
        runner.eprint(f"  page {number}: {len(page)} record(s)")
    if records:
        record.parquet_files = lake_mod.write_tables(
            lake, "rest", source.name, None, [lake_mod.records_to_arrow(records)]
        )
    record.rows_loaded = len(records)
    runner.eprint(f"  staged {len(records):,} record(s); loading")
    p = runner.pipeline(source.name, target, record.pipeline_name)
    res = dlt.resource(
        records, name=table,
        write_disposition=settings.get("write_disposition", "append"),
        primary_key=cfg.primary_key(settings),
    )
    p.run(res)
    counts = p.last_trace.last_normalize_info.row_counts if p.last_trace else {}
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
    "rest": lambda source: rest.session(source).close() or rest.base_url(source),
    "files": lambda source: None,
}
