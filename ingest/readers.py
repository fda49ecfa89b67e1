"""File readers that keep what the source said: every column as text, nothing dropped.

Rows the CSV parser cannot split (wrong number of fields, a truncated last line) are not
lost: they come back as rows of `_rejected_lines` with the table, file, line number, the
line's text and the parser's reason, and land beside the good rows. So do lines that are
not UTF-8 (typically Latin-1 or Windows-1252 bytes in a UTF-8 feed): they are quarantined
whole, their text decoded as Windows-1252 so that an operator can read it, never guessed
into the data. A UTF-8 byte-order mark is dropped.

A file that cannot be read at all (empty, a broken header, a missing expected column)
raises `FileFormatError`, one line naming the file, the line and the problem.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest.log import say

SOURCE_FILE = "_source_file"
SOURCE_ROW = "_source_row_number"
REJECTED_LINES = "_rejected_lines"


class FileFormatError(ValueError):
    """A file cannot be read at all; the message names the file and the problem."""


def _header(path: Path, delimiter: str) -> list[str]:
    with path.open("r", encoding="utf-8-sig", newline="", errors="replace") as fh:
        first = fh.readline()
    if not first.strip():
        what = "empty file" if not first else "blank line"
        raise FileFormatError(f"{path.name}: line 1: {what}, expected a header row")
    names = next(csv.reader(io.StringIO(first), delimiter=delimiter))
    names = [n.strip().lower() for n in names]
    if any(not n for n in names):
        raise FileFormatError(f"{path.name}: line 1: blank column name in header {names}")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FileFormatError(f"{path.name}: line 1: duplicate column name(s) {dupes}")
    return names


def check_columns(path: Path, names: list[str], expected: Sequence[str], delimiter: str) -> None:
    """Refuse a header that lacks an expected column; warn about columns nobody expects.

    An extra column still lands (raw keeps what the source said) and reaches staging in
    `raw_row`; a missing one would leave staging nothing to read, so the file is refused.
    """
    missing = [c for c in expected if c not in names]
    extra = [c for c in names if c not in expected]
    if missing:
        hint = ""
        if len(names) == 1:
            found = [d for d in (";", "\t", "|", ",") if d != delimiter and d in names[0]]
            if found:
                hint = f"; the header has one column: is the delimiter {found[0]!r}?"
        elif extra:
            hint = f"; unexpected column(s) {', '.join(extra)} (renamed?)"
        raise FileFormatError(
            f"{path.name}: line 1: missing column(s) {', '.join(missing)}{hint}"
        )
    if extra:
        say(f"warning: {path.name}: line 1: unexpected column(s) {', '.join(extra)}: "
            "landed as text, kept in raw_row, not used by staging")


def read_csv_text(
    path: Path, table: str, delimiter: str = ",", expected: Sequence[str] | None = None
) -> list[tuple[str, pa.Table]]:
    """Read a CSV file, every column as text: [(table, rows)] plus [("_rejected_lines", bad)].

    `expected`: the columns the file must have (see `check_columns`); None checks nothing.
    """
    path = Path(path)
    names = _header(path, delimiter)
    if expected is not None:
        check_columns(path, names, expected, delimiter)
    rejected: list[dict] = []

    def on_invalid(row) -> str:
        rejected.append(
            {
                "line_number": row.number,
                "line_text": row.text,
                "reason": f"expected {row.expected_columns} fields, found {row.actual_columns}",
            }
        )
        return "skip"

    def parse(source) -> pa.Table:
        return pacsv.read_csv(
            source,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, encoding="utf8", block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        data = parse(path)
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" not in str(exc):
            raise FileFormatError(f"{path.name}: {_one_line(exc)}") from exc
        rejected.clear()
        text, undecodable = _split_undecodable(path)
        try:
            data = parse(io.BytesIO(text))
        except pa.ArrowInvalid as inner:
            raise FileFormatError(f"{path.name}: {_one_line(inner)}") from inner
        rejected.extend(undecodable)
    if rejected:
        _fill_line_numbers(path, rejected)
    n = data.num_rows
    data = data.append_column(SOURCE_FILE, pa.repeat(pa.scalar(path.name, pa.string()), n))
    data = data.append_column(SOURCE_ROW, pa.array(np.arange(1, n + 1, dtype=np.int64)))
    out = [(table, data)]
    if rejected:
        bad = pa.table(
            {
                "table_name": pa.array([table] * len(rejected), pa.string()),
                "file_name": pa.array([path.name] * len(rejected), pa.string()),
                "line_number": pa.array([r["line_number"] for r in rejected], pa.int64()),
                "line_text": pa.array([r["line_text"] for r in rejected], pa.string()),
                "reason": pa.array([r["reason"] for r in rejected], pa.string()),
            }
        )
        out.append((REJECTED_LINES, bad))
    return out


def _fill_line_numbers(path: Path, rejected: list[dict]) -> None:
    """The threaded parser does not report line numbers; find them (rare, so a scan is fine)."""
    wanted: dict[str, list[dict]] = {}
    for r in rejected:
        if r["line_number"] is None:
            wanted.setdefault(r["line_text"], []).append(r)
    if not wanted:
        return
    with path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
        for number, line in enumerate(fh, start=1):
            text = line.rstrip("\r\n")
            if text in wanted and wanted[text]:
                wanted[text].pop(0)["line_number"] = number


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


_UNDECODABLE_LINE = re.compile(r"[^\n]*[\udc80-\udcff][^\n]*\n?")


def _split_undecodable(path: Path) -> tuple[bytes, list[dict]]:
    """The file without its lines that are not UTF-8, and those lines as rejects.

    Found with one regular-expression pass over the text (bad bytes decoded as surrogates),
    so a large file with a few bad lines costs one read, not a loop over every line.
    """
    text = path.read_bytes().decode("utf-8", errors="surrogateescape")
    kept: list[str] = []
    rejects: list[dict] = []
    position = 0
    line_number = 1
    for match in _UNDECODABLE_LINE.finditer(text):
        line_number += text.count("\n", position, match.start())
        if line_number == 1:
            raise FileFormatError(f"{path.name}: line 1: the header is not UTF-8 text")
        kept.append(text[position : match.start()])
        raw = match.group().rstrip("\r\n").encode("utf-8", errors="surrogateescape")
        first_bad = next(ch for ch in match.group() if "\udc80" <= ch <= "\udcff")
        column = match.group().index(first_bad) + 1
        rejects.append(
            {
                "line_number": line_number,
                "line_text": raw.decode("cp1252", errors="replace"),
                "reason": (
                    f"not UTF-8: byte 0x{ord(first_bad) - 0xDC00:02x} at character {column} "
                    "(Latin-1 / Windows-1252?); line quarantined, shown decoded as Windows-1252"
                ),
            }
        )
        position = match.end()
        line_number += match.group().count("\n")
    kept.append(text[position:])
    return "".join(kept).encode("utf-8", errors="surrogateescape"), rejects
