"""Protocol `files`: CSV, NDJSON and Parquet files by glob, each file loaded once.

    [sources.drop]
    protocol = "files"
    base_dir = "/srv/drop"              # globs are relative to it (default: current folder)
    [sources.drop.tables.events]
    glob = "events/*.ndjson"
    format = "ndjson"                   # csv | ndjson | parquet (default: from the extension)
    # delimiter = ";"                   # CSV only

Each file's checksum is kept in `raw_<source>._landed_files` in the same load as its rows,
so a file lands exactly once however often the run repeats. CSV columns land as text with
unsplittable lines in `_rejected_lines` (see `ingest.readers`); NDJSON lines that are not
JSON land there too, with the parser's reason. A file that cannot be read at all (a corrupt
Parquet file, a non-UTF-8 text) fails the run with the file's name in the message.
"""

from __future__ import annotations

import glob
import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq

from ingest.config import ConfigError
from ingest.generic import settings as cfg
from ingest.readers import REJECTED_LINES, SOURCE_FILE, SOURCE_ROW, FileFormatError, read_csv_text

FORMATS = {".csv": "csv", ".ndjson": "ndjson", ".jsonl": "ndjson",
           ".parquet": "parquet", ".pq": "parquet"}


def pattern(source: cfg.Source, settings: dict) -> str:
    base = Path(source.settings.get("base_dir") or ".")
    if not base.is_absolute():
        base = source.config_path.parent / base if source.settings.get("base_dir") else Path.cwd()
    return str(base / settings["glob"])


def discover(source: cfg.Source, settings: dict) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(pattern(source, settings), recursive=True)
                  if Path(p).is_file())


def file_format(path: Path, settings: dict) -> str:
    fmt = settings.get("format") or FORMATS.get(path.suffix.lower())
    if fmt not in ("csv", "ndjson", "parquet"):
        raise ConfigError(f"{path.name}: unknown format; set format = csv | ndjson | parquet")
    return fmt


def reader(table: str, settings: dict) -> Callable[[Path], list[tuple[str, pa.Table]]]:
    """read(path) -> [(table, rows), maybe ("_rejected_lines", lines)] for `runner.land_files`."""

    def read(path: Path) -> list[tuple[str, pa.Table]]:
        fmt = file_format(path, settings)
        if fmt == "csv":
            return read_csv_text(path, table, settings.get("delimiter", ","))
        if fmt == "parquet":
            return [(table, _with_source(read_parquet(path), path))]
        return read_ndjson(path, table)

    return read


def read_parquet(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise FileFormatError(f"{path.name}: not a readable Parquet file: {exc}") from None


def read_ndjson(path: Path, table: str) -> list[tuple[str, pa.Table]]:
    """Arrow's reader for the common case; a line-by-line pass only when a line is bad."""
    try:
        data = pajson.read_json(path)
        return [(table, _with_source(data, path))]
    except pa.ArrowInvalid:
        pass
    good: list[dict] = []
    numbers: list[int] = []
    bad: list[tuple[int, str, str]] = []
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{path.name}: not UTF-8 text: {exc}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            bad.append((number, line, f"not JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(value, dict):
            bad.append((number, line, "not a JSON object"))
            continue
        good.append(value)
        numbers.append(number)
    try:
        data = pajson.read_json(io.BytesIO("\n".join(json.dumps(g) for g in good).encode()))
    except pa.ArrowInvalid as exc:
        raise FileFormatError(f"{path.name}: values of one field disagree in type: {exc}") from None
    out = [(table, _with_source(data, path, numbers))]
    if bad:
        out.append((REJECTED_LINES, pa.table({
            "table_name": pa.array([table] * len(bad), pa.string()),
            "file_name": pa.array([path.name] * len(bad), pa.string()),
            "line_number": pa.array([b[0] for b in bad], pa.int64()),
            "line_text": pa.array([b[1] for b in bad], pa.string()),
            "reason": pa.array([b[2] for b in bad], pa.string()),
        })))
    return out


def _with_source(data: pa.Table, path: Path, numbers: list[int] | None = None) -> pa.Table:
    n = data.num_rows
    rows = pa.array(numbers if numbers is not None else range(1, n + 1), pa.int64())
    data = data.append_column(SOURCE_FILE, pa.array([path.name] * n, pa.string()))
    return data.append_column(SOURCE_ROW, rows)


def check(source: cfg.Source) -> tuple[bool, str]:
    """Every table's glob: how many files match (a glob matching nothing is a failure)."""
    found, empty = [], []
    for table in source.tables:
        settings = source.table(table)
        n = len(discover(source, settings))
        found.append(f"{table}: {n} file(s)")
        if n == 0:
            empty.append(pattern(source, settings))
    if empty:
        return False, "no file matches " + ", ".join(empty)
    return True, "; ".join(found) or "no tables configured"
