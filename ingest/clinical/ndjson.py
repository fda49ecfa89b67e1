"""The pipeline-output NDJSON: one fragment (a JSON object of lists) a line.

See docs/clinical/pipeline-output.md for every field.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

LISTS = ("service_requests", "codes", "mappings", "ncit_concepts", "patients", "encounters")


def write_ndjson(records: Iterable[dict[str, Any]], out: str | Path) -> int:
    """Write fragments one a line (UTF-8, compact, key order kept); returns lines written.

    The file is written beside its final name and renamed into place, so a reader never
    sees half a file.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
            count += 1
    os.replace(tmp, out)
    return count


def read_ndjson(path: str | Path) -> list[dict[str, Any]]:
    """All fragments of a pipeline-output file; a malformed line is an error naming it."""
    records = []
    with Path(path).open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {number}: invalid JSON: {exc.msg}") from None
            if not isinstance(record, dict):
                raise ValueError(f"{path}: line {number}: expected a JSON object")
            records.append(record)
    return records


def explode(records: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows of every list across all fragments, in file order."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in LISTS}
    for record in records:
        for name in LISTS:
            out[name].extend(record.get(name) or [])
    return out
