"""One writing run at a time per DuckDB warehouse: a lock file beside the warehouse file.

DuckDB allows one writer per file, and a second writer fails deep inside dlt or dbt with
"Could not set lock on file". The commands that write the warehouse (`load`, `fetch`, `run`,
`build`, `nightly`, `demo`, `check`) take `<warehouse>.duckdb.lock` first, with `flock`, for
the whole command:

- a second run waits up to WAREHOUSE_LOCK_WAIT_SECONDS (default 60) and then exits 1 with
  one line naming the holder (its pid, its command and since when); nothing of the second
  run has touched the warehouse;
- the holder's pid, command and start time are written in the lock file while it runs and
  cleared when it ends; the operating system releases a `flock` when its process dies, so a
  run killed with SIGKILL leaves no lock behind, only its details: the next run says it
  takes over from that run and goes on.

PostgreSQL serves concurrent writers itself; for it the lock is a no-op.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ingest import config

DEFAULT_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.25


class LockHeld(RuntimeError):
    """Another run holds the warehouse for longer than this run may wait."""


def lock_path(target: config.Target) -> Path:
    return target.duckdb_path.with_name(target.duckdb_path.name + ".lock")


def wait_seconds() -> float:
    raw = os.environ.get("WAREHOUSE_LOCK_WAIT_SECONDS", "").strip()
    if not raw:
        return DEFAULT_WAIT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise config.ConfigError(
            f"WAREHOUSE_LOCK_WAIT_SECONDS={raw!r}: expected a number of seconds, 0 or more"
        )
    return value


def _read(fd: int) -> dict:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 4096).decode("utf-8", "replace").strip()
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def _write(fd: int, holder: dict) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    if holder:
        os.write(fd, (json.dumps(holder) + "\n").encode())
    os.fsync(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe(holder: dict) -> str:
    if not holder:
        return "another run (it has not written its details yet)"
    where = "" if holder.get("host") == socket.gethostname() else f" on {holder.get('host')}"
    return (
        f"pid {holder.get('pid')}{where} ({holder.get('command', '?')}, "
        f"since {holder.get('started_at', '?')})"
    )


@contextmanager
def hold(
    target: config.Target, command: str, wait: float | None = None, say=None
) -> Iterator[None]:
    """Hold the warehouse of `target` for one writing run (a no-op on PostgreSQL and Spark).

    `say` prints a line to the operator (default: stderr)."""
    if not target.is_duckdb:
        yield
        return
    from ingest.runner import eprint

    say = say or eprint
    wait = wait_seconds() if wait is None else wait
    path = lock_path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        announced = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _read(fd)
                if time.monotonic() >= deadline:
                    raise LockHeld(
                        f"the warehouse {target.duckdb_path} is being written by "
                        f"{describe(holder)}; waited {wait:g}s (WAREHOUSE_LOCK_WAIT_SECONDS), "
                        "nothing done: run again when it has finished"
                    ) from None
                if not announced:
                    say(f"waiting up to {wait:g}s for {describe(holder)} to finish writing "
                        f"{target.duckdb_path}")
                    announced = True
                time.sleep(POLL_SECONDS)
        previous = _read(fd)
        if previous.get("pid") and not (
            previous.get("host") == socket.gethostname() and _alive(int(previous["pid"]))
        ):
            say(f"note: taking over from {describe(previous)}, which ended without finishing")
        try:
            _write(fd, {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "command": command,
                "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            })
        except OSError as exc:  # a full disk: name the file (ingest.failures reports it)
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        try:
            yield
        finally:
            _write(fd, {})
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
