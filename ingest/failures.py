"""What went wrong around a run, said in one line: the disk filled up, or the PostgreSQL
server went away.

A run that fails on either gets one line naming the place (`no space left on <device>
(<path>) while <step>`, `lost PostgreSQL <host>:<port>/<db> while <step>`) instead of the
error of whichever library hit it first (Python's OSError, dlt's job failure, DuckDB's
IOException, psycopg2's OperationalError, or a dbt node's error message). The step is the
one the run announced last with `step(...)`: landing a domain, building, writing the audit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from ingest import config

# error texts, lower case, of a full disk (Python, DuckDB, PostgreSQL, dbt's node messages)
DISK_FULL = ("no space left on device", "could not write file", "disk full",
             "could not extend file", "errno 28", "enospc")
# error texts, lower case, of a PostgreSQL server that went away or cannot be reached
SERVER_GONE = (
    "server closed the connection unexpectedly", "terminating connection due to",
    "connection refused", "could not connect to server", "connection already closed",
    "connection to server at", "the database system is shutting down",
    "the database system is starting up", "the database system is in recovery mode",
    "ssl syscall error", "no connection to the server", "connection is closed",
    "connection not open", "consuming input failed", "lost synchronization with server",
)

_current_step = "starting the run"


@contextlib.contextmanager
def step(what: str) -> Iterator[None]:
    """Name the step the run is in; an error inside it is reported as `while <what>`.
    The name stays after an error (the CLI reads it) and is restored after success."""
    global _current_step
    before = _current_step
    _current_step = what
    yield
    _current_step = before


def current_step() -> str:
    return _current_step


def _chain(exc: BaseException) -> list[BaseException]:
    out, seen = [], set()
    node: BaseException | None = exc
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        out.append(node)
        node = node.__cause__ or (None if node.__suppress_context__ else node.__context__)
    return out


def _first_line(text: str, markers: tuple[str, ...] = ()) -> str:
    """The first line of `text` holding one of `markers` (else its first line), squeezed."""
    lines = [line for line in text.strip().splitlines() if line.strip()] or [""]
    found = next((line for line in lines if any(m in line.lower() for m in markers)), lines[0])
    return " ".join(found.split())


def _mount_of(path: Path) -> Path:
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    while not os.path.ismount(path) and path != path.parent:
        path = path.parent
    return path


def _device(path: Path) -> str:
    """`<device> mounted at <mount>` for the filesystem holding `path` (from /proc/mounts
    where readable), with the space left on it."""
    mount = _mount_of(path)
    device = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 2 and parts[1] == str(mount):
                device = f"{parts[0]} ({parts[2]}) "
    free = ""
    with contextlib.suppress(OSError):
        free = f", {shutil.disk_usage(mount).free / 1e6:.1f} MB free now"
    return f"{device}mounted at {mount}{free}"


def disk_path(exc: BaseException | None, target: config.Target | None) -> Path:
    """The file the failing write was for, where the error says; else the DuckDB file, else
    the data folder."""
    for node in _chain(exc) if exc is not None else []:
        name = getattr(node, "filename", None)
        if isinstance(node, OSError) and name:
            return Path(str(name))
    if target is not None and target.duckdb_path is not None:
        return target.duckdb_path
    return config.data_dir()


def is_disk_full_text(text: str) -> bool:
    low = text.lower()
    return any(marker in low for marker in DISK_FULL)


def is_server_gone_text(text: str) -> bool:
    low = text.lower()
    return any(marker in low for marker in SERVER_GONE)


def disk_full_message(path: Path, detail: str, during: str | None = None) -> str:
    return (f"no space left on {_device(path)} while {during or _current_step} "
            f"(writing {path}): "
            f"free some space and run again; completed loads and builds are kept "
            f"[{_first_line(detail, DISK_FULL)[:200]}]")


def server_gone_message(target: config.Target, detail: str, during: str | None = None) -> str:
    return (f"lost PostgreSQL {target.pg_host}:{target.pg_port}/{target.pg_dbname} "
            f"(target {target.name}) while {during or _current_step}: start the server and "
            "run again; "
            f"completed loads and builds are kept [{_first_line(detail, SERVER_GONE)[:200]}]")


def explain(exc: BaseException, target: config.Target | None) -> str | None:
    """One line for a full disk or a lost server anywhere in the exception's chain, or
    None when the error is neither."""
    chain = _chain(exc)
    texts = [str(node) for node in chain]
    if any(isinstance(n, OSError) and n.errno == errno.ENOSPC for n in chain) or any(
        is_disk_full_text(t) for t in texts
    ):
        text = next((t for t in reversed(texts) if is_disk_full_text(t)), texts[-1])
        return disk_full_message(disk_path(exc, target), text)
    if target is not None and not target.is_duckdb and not target.is_spark:
        gone = next((t for t in reversed(texts) if is_server_gone_text(t)), None)
        if gone is not None:
            return server_gone_message(target, gone)
    return None


def explain_dbt(result, target: config.Target, command: str = "build") -> str | None:
    """The one line for a dbt run that failed on a full disk or a lost server: read from
    the first node that errored so (naming it), else from the exception dbt raised."""
    messages = [
        (getattr(r.node, "name", "?"), str(r.message or ""))
        for r in (getattr(result.result, "results", None) or [])
        if str(r.status) in ("error", "runtime error")
    ]
    server = not target.is_duckdb and not target.is_spark
    for node, message in messages:
        during = f"running dbt {command} at {node}"
        if is_disk_full_text(message):
            return disk_full_message(disk_path(None, target), message, during)
        if server and is_server_gone_text(message):
            return server_gone_message(target, message, during)
    if result.exception is not None:
        with step(f"running dbt {command}"):
            return explain(result.exception, target)
    return None
