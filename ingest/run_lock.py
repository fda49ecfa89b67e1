"""One writing run at a time per warehouse: a lock file beside a DuckDB file, an advisory
lock of a PostgreSQL database.

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
  takes over from that run and goes on;
- once it has the lock, a run also waits (within the same wait, at least a few seconds)
  until DuckDB can open the file: a run lets go of the lock a moment before its process has
  closed the file, and a reader may hold it open.

On PostgreSQL the lock is a session advisory lock of the warehouse database
(`pg_try_advisory_lock`, one key per database: advisory locks are scoped to the database),
held on a connection of its own for the whole command. PostgreSQL itself serves concurrent
writers, but two runs interleaving their steps on one warehouse (a nightly landing between a
build's models) are what the lock prevents, and it works across machines. A landing of one
domain or source (`load`, `fetch`, `run`, Dagster's landing steps) takes the warehouse key
shared and its name's key alone: landings of different domains go side by side, two of one
domain one after the other, and none overlaps a build, a nightly or a demo. The holder is
named from `pg_stat_activity` (its connection's application_name carries the pid and the
command); a run that dies loses its connection, and with it the lock. On Spark the lock is a
no-op.

A run that does not get the warehouse still leaves its failure row: `ingest.cli` writes it,
or spools it for the next run that holds the warehouse (`ingest.audit_spool`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ingest import config

DEFAULT_WAIT_SECONDS = 60.0
POLL_SECONDS = 0.25
# a run that has let go of the lock closes the file as its process exits: a short grace
# even for a run told not to wait
FILE_GRACE_SECONDS = 5.0
# pg_try_advisory_lock(key1, key2): shows in pg_locks as classid = key1, objid = key2
PG_LOCK_KEYS = (0x57415245, 0x484F5553)
PG_APP_PREFIX = "warehouse lock "
PG_LANDING_KEY = 0x4C414E44  # (this, crc32 of the name): one landing per domain or source


class NotHeld(RuntimeError):
    """This run could not take the warehouse: nothing of it has touched the warehouse."""


class LockHeld(NotHeld):
    """Another run holds the warehouse for longer than this run may wait."""


class Unreachable(NotHeld):
    """The warehouse server did not answer when the run tried to take it."""


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
    target: config.Target, command: str, wait: float | None = None, say=None,
    landing: str | None = None,
) -> Iterator[None]:
    """Hold the warehouse of `target` for one writing run (a no-op on Spark).

    `landing` (a domain or source name): the run only lands that one into its raw schema. On
    PostgreSQL such runs share the warehouse with landings of other names (each name one at a
    time), and never overlap a build; on DuckDB every run holds the file alone.

    `say` prints a line to the operator (default: stderr)."""
    from ingest.runner import eprint

    say = say or eprint
    wait = wait_seconds() if wait is None else wait
    if target.is_spark:
        yield
        return
    if not target.is_duckdb:
        with _hold_postgres(target, command, wait, say, landing):
            yield
        return
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
        _wait_for_file(target, deadline, wait, say)
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


def _file_busy(path: Path) -> str | None:
    """DuckDB's own refusal to open the file for writing (another process has it open:
    a run still exiting after it let go of the lock, or a reader), or None when it opens.
    Any other problem with the file is left for the run to report."""
    if not path.exists():
        return None
    import duckdb

    try:
        duckdb.connect(str(path)).close()
    except duckdb.Error as exc:
        text = " ".join(str(exc).split())
        return text if "Could not set lock" in text else None
    return None


def _wait_for_file(target: config.Target, deadline: float, wait: float, say) -> None:
    """The lock is ours; wait until the warehouse file is free too. A run lets go of the
    lock before its process has closed the file (dbt-duckdb keeps its connection until the
    process exits), and a reader may hold the file open."""
    limit = max(deadline, time.monotonic() + FILE_GRACE_SECONDS)
    announced = False
    while (busy := _file_busy(target.duckdb_path)) is not None:
        if time.monotonic() >= limit:
            raise LockHeld(
                f"the warehouse {target.duckdb_path} is open in another process ({busy}); "
                f"waited {wait:g}s (WAREHOUSE_LOCK_WAIT_SECONDS), nothing done: run again "
                "when it has closed the file"
            )
        if not announced:
            say(f"waiting for the warehouse file to be closed: {busy}")
            announced = True
        time.sleep(POLL_SECONDS)


def _pg_holder(cur, keys: tuple[int, int]) -> str:
    cur.execute(
        "select a.pid, a.application_name, a.client_addr, a.backend_start "
        "from pg_locks l join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted and l.classid = %s and l.objid = %s "
        "and l.database = (select oid from pg_database where datname = current_database()) "
        "and l.pid <> pg_backend_pid() order by a.backend_start limit 1",
        keys,
    )
    row = cur.fetchone()
    if not row:
        return "another run (it has just finished)"
    pid, app, addr, since = row
    who = app[len(PG_APP_PREFIX):] if (app or "").startswith(PG_APP_PREFIX) else f"backend {pid}"
    where = f" from {addr}" if addr else ""
    return f"{who}{where} (since {since:%Y-%m-%dT%H:%M:%S%z})"


def _pg_try(cur, landing: str | None) -> tuple[int, int] | None:
    """Take the locks of a run; None when taken, else the keys of the lock that is held.

    A build (or any run that is not a landing) takes the warehouse key alone; a landing
    takes it shared, plus its own name's key alone."""
    if landing is None:
        cur.execute("select pg_try_advisory_lock(%s, %s)", PG_LOCK_KEYS)
        return None if cur.fetchone()[0] else PG_LOCK_KEYS
    cur.execute("select pg_try_advisory_lock_shared(%s, %s)", PG_LOCK_KEYS)
    if not cur.fetchone()[0]:
        return PG_LOCK_KEYS
    name_keys = (PG_LANDING_KEY, zlib.crc32(landing.encode()) - (1 << 31))
    cur.execute("select pg_try_advisory_lock(%s, %s)", name_keys)
    if cur.fetchone()[0]:
        return None
    cur.execute("select pg_advisory_unlock_shared(%s, %s)", PG_LOCK_KEYS)
    return name_keys


@contextmanager
def _hold_postgres(
    target: config.Target, command: str, wait: float, say, landing: str | None
) -> Iterator[None]:
    import psycopg2

    short = command.removeprefix("python -m ingest ")
    try:
        con = psycopg2.connect(
            host=target.pg_host, port=target.pg_port, user=target.pg_user,
            password=target.pg_password or None, dbname=target.pg_dbname, connect_timeout=10,
            application_name=f"{PG_APP_PREFIX}pid {os.getpid()}: {short}"[:63],
        )
    except psycopg2.OperationalError as exc:
        raise Unreachable(
            f"the warehouse {target.describe()} cannot be reached, nothing done: "
            + " ".join(str(exc).split())
        ) from None
    con.autocommit = True
    try:
        cur = con.cursor()
        deadline = time.monotonic() + wait
        announced = False
        while (held := _pg_try(cur, landing)) is not None:
            holder = _pg_holder(cur, held)
            if time.monotonic() >= deadline:
                raise LockHeld(
                    f"the warehouse {target.describe()} is being written by {holder}; waited "
                    f"{wait:g}s (WAREHOUSE_LOCK_WAIT_SECONDS), nothing done: run again when it "
                    "has finished"
                )
            if not announced:
                say(f"waiting up to {wait:g}s for {holder} to finish writing {target.describe()}")
                announced = True
            time.sleep(POLL_SECONDS)
        try:
            yield
        finally:
            # a server gone away took the locks with the session
            with contextlib.suppress(psycopg2.Error):
                cur.execute("select pg_advisory_unlock_all()")
    finally:
        con.close()
