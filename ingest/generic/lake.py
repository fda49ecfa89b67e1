"""The Parquet lake: every batch that lands is first written here.

Layout: `<lake>/<protocol>/<source>/<YYYY-MM-DD>/<source>_<utc timestamp>.parquet` (UTC day
and time of the run). A run that lands several tables (the domain loads) writes one file per
table, `<source>_<table>_<utc timestamp>.parquet`. Files are written under a temporary name
and renamed when complete, so a crash never leaves a half-written file that looks whole.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ingest import config


def default_dir() -> Path:
    """`WAREHOUSE_LAKE_DIR`, else `<WAREHOUSE_DATA_DIR>/lake`."""
    return config.lake_dir()


class LakeWriter:
    """Streams Arrow batches of one table of one run into lake Parquet file(s)."""

    def __init__(
        self,
        lake: Path,
        protocol: str,
        source: str,
        table: str | None = None,
        now: datetime | None = None,
    ) -> None:
        now = now or datetime.now(UTC)
        folder = Path(lake) / protocol / source / now.strftime("%Y-%m-%d")
        stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
        self.stem = f"{source}_{table}_{stamp}" if table else f"{source}_{stamp}"
        self.folder = folder
        self.rows = 0
        self.paths: list[Path] = []
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None
        self._tmp: Path | None = None

    def write(self, batch: pa.Table | pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        if isinstance(batch, pa.RecordBatch):
            batch = pa.Table.from_batches([batch])
        if self._writer is not None and not batch.schema.equals(self._schema):
            try:
                batch = batch.cast(self._schema)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
                self._finish_file()  # a new schema starts a new part file
        if self._writer is None:
            self._open(batch.schema)
        self._writer.write_table(batch)
        self.rows += batch.num_rows

    def _open(self, schema: pa.Schema) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        part = len(self.paths)
        name = f"{self.stem}.parquet" if part == 0 else f"{self.stem}_{part + 1}.parquet"
        final = self.folder / name
        self._tmp = final.with_name(f".{name}.tmp")
        self.paths.append(final)
        self._schema = schema
        self._writer = pq.ParquetWriter(self._tmp, schema, compression="zstd")

    def _finish_file(self) -> None:
        if self._writer is None:
            return
        self._writer.close()
        os.replace(self._tmp, self.paths[-1])
        self._writer = None
        self._tmp = None

    def close(self) -> list[Path]:
        """Finish the open file; returns every file written (none if no rows came)."""
        self._finish_file()
        return list(self.paths)

    def abort(self) -> None:
        """Drop a file still being written (a failed run leaves no partial file)."""
        if self._writer is not None:
            self._writer.close()
            self._tmp.unlink(missing_ok=True)
            self.paths.pop()
            self._writer = None


def write_tables(
    lake: Path, protocol: str, source: str, table: str | None, tables: list[pa.Table],
    now: datetime | None = None,
) -> list[Path]:
    """Write one table's batches (possibly of differing schemas) to the lake in one go."""
    writer = LakeWriter(lake, protocol, source, table, now)
    try:
        if len(tables) > 1:
            # different schemas that cannot be unified are written as consecutive part files
            with contextlib.suppress(
                pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError
            ):
                tables = [pa.concat_tables(tables, promote_options="permissive")]
        for t in tables:
            writer.write(t)
    except BaseException:
        writer.abort()
        raise
    return writer.close()


def records_to_arrow(records: list[dict]) -> pa.Table:
    """JSON records to Arrow, nested objects kept nested; conflicting types kept as JSON text.

    Where the records cannot share one Arrow type per field (an id that is a number here
    and a string there, an empty object), every top-level value is kept as its JSON text,
    so the lake still holds exactly what the source said.
    """
    try:
        table = pa.Table.from_struct_array(pa.array(records))
        if not _has_empty_struct(table.schema):
            return table
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        pass
    names: dict[str, None] = {}
    for r in records:
        names.update(dict.fromkeys(r))
    return pa.table(
        {
            n: pa.array(
                [None if r.get(n) is None else json.dumps(r[n], default=str) for r in records],
                pa.string(),
            )
            for n in names
        }
    )


def _has_empty_struct(schema: pa.Schema) -> bool:
    def empty(t: pa.DataType) -> bool:
        if pa.types.is_struct(t):
            return t.num_fields == 0 or any(empty(t.field(i).type) for i in range(t.num_fields))
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            return empty(t.value_type)
        return False

    return any(empty(f.type) for f in schema)
