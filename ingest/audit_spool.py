"""Audit rows that could not be written wait in a spool folder until a run holds the warehouse.

The audit trail must not depend on reaching the warehouse: a run that did not get it (held by
another run), or that failed because the warehouse was busy or unreachable, still leaves its
rows. When `ingest.audit.write_run` cannot write them, the run's record goes to a JSON file in
the spool folder of its warehouse, one file per run id:

- DuckDB: `<warehouse>.duckdb.audit-spool/` beside the warehouse file (it travels with it);
- PostgreSQL: `<WAREHOUSE_DATA_DIR>/audit-spool/<target>_<digest of host, port, database>/`.

Every writing command replays the spool first thing after it has taken the warehouse
(`ingest.cli`): each record is written (`write_run` skips rows whose run id is already there,
so a replay interrupted half-way and replayed again never doubles a row), then its file is
removed. A replay that cannot reach the warehouse leaves the files for the next run.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from ingest import audit, config

FIELDS = ("run_id", "pipeline_name", "source_name", "protocol", "target_table", "command",
          "status", "rows_loaded", "error_message", "detail", "kind")


def spool_dir(target: config.Target) -> Path:
    if target.is_duckdb:
        return target.duckdb_path.with_name(target.duckdb_path.name + ".audit-spool")
    key = f"{target.pg_host}:{target.pg_port}/{target.pg_dbname}"
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    return config.data_dir() / "audit-spool" / f"{target.name}_{digest}"


def spool(record: audit.RunRecord, target: config.Target) -> Path:
    """Write the record to the spool folder (atomically: a reader never sees half a file)."""
    folder = spool_dir(target)
    folder.mkdir(parents=True, exist_ok=True)
    data = {name: getattr(record, name) for name in FIELDS}
    data["started_at"] = record.started_at.isoformat()
    data["finished_at"] = record.finished_at.isoformat() if record.finished_at else None
    data["parquet_files"] = [str(p) for p in record.parquet_files]
    path = folder / f"{record.run_id}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n")
    os.replace(tmp, path)
    return path


def read(path: Path) -> audit.RunRecord:
    data = json.loads(path.read_text())
    record = audit.RunRecord(
        **{name: data[name] for name in FIELDS if name in data},
        started_at=datetime.fromisoformat(data["started_at"]),
    )
    record.finished_at = (
        datetime.fromisoformat(data["finished_at"]) if data.get("finished_at") else None
    )
    record.parquet_files = [Path(p) for p in data.get("parquet_files") or []]
    return record


def pending(target: config.Target) -> list[Path]:
    folder = spool_dir(target)
    return sorted(folder.glob("*.json")) if folder.is_dir() else []


def write_or_spool(record: audit.RunRecord, target: config.Target, say) -> None:
    """Write the run's rows; when the warehouse cannot take them, spool them and say so.

    Raises only when the spool cannot be written either (the row is then lost)."""
    try:
        audit.write_run(record, target)
    except Exception as exc:
        describe_error = audit.describe_error

        if target.is_spark:
            raise
        try:
            path = spool(record, target)
        except OSError as spool_exc:
            raise RuntimeError(
                f"audit row not written ({describe_error(exc)}) and not spooled "
                f"({describe_error(spool_exc)})"
            ) from exc
        say(f"warning: audit row not written yet ({describe_error(exc)}); kept in {path}, "
            "written by the next run that holds the warehouse")


def replay(target: config.Target, say) -> int:
    """Write every spooled record (once: by run id) and remove its file; returns how many.

    Stops at the first record the warehouse does not take, leaving it and the rest."""
    done = 0
    for path in pending(target):
        try:
            record = read(path)
        except (ValueError, KeyError, TypeError) as exc:
            bad = path.with_suffix(".unreadable")
            os.replace(path, bad)
            say(f"warning: spooled audit record {path.name} is unreadable ({exc}); moved to {bad}")
            continue
        try:
            audit.write_run(record, target)
        except Exception as exc:
            describe_error = audit.describe_error

            say(f"warning: {len(pending(target))} spooled audit record(s) not written yet "
                f"({describe_error(exc)}); they stay in {spool_dir(target)}")
            break
        path.unlink()
        done += 1
    if done:
        say(f"audit: {done} spooled run record(s) written to ctl.etl_audit_log / ctl.etl_run")
    return done
