"""What the ingest CLI tells its operator, on stderr: plain lines or JSON, with the run id.

    WAREHOUSE_LOG_LEVEL   debug | info (default) | warning | error
    WAREHOUSE_LOG_FORMAT  text (default) | json

`say(line)` is the one way the CLI writes to stderr. A line's level comes from its prefix
(`error:` error, `warning:` warning, anything else info) unless given. In `json` format each
line is one object: `ts`, `level`, `run_id` (the id of the ingest run the line belongs to,
the same as in `ctl.etl_run` and `ctl.etl_audit_log`; null before the first run of the
command), `command`, `pid` and `message`; dbt's own log is JSON too (`--log-format json`, its
lines carry dbt's `invocation_id`). `progress(line)` shows long work (files landed, days
generated) on one rewritten terminal line, and nothing when stderr is not a terminal or the
format is JSON.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
from datetime import UTC, datetime

from ingest import config

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40}
FORMATS = ("text", "json")

_run_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("run_id", default=None)
_command: str | None = None
_progress_shown = False


def _setting(name: str, default: str, allowed) -> str:
    value = os.environ.get(name, default).strip().lower() or default
    if value not in allowed:
        raise config.ConfigError(f"{name}={value!r}: expected one of {', '.join(allowed)}")
    return value


def level() -> str:
    return _setting("WAREHOUSE_LOG_LEVEL", "info", LEVELS)


def log_format() -> str:
    return _setting("WAREHOUSE_LOG_FORMAT", "text", FORMATS)


def start_command(command: str) -> None:
    """Name the CLI command the following lines belong to; checks the settings."""
    global _command
    _command = command
    level()
    log_format()


def bind_run(run_id: str) -> None:
    """The lines from here on belong to this ingest run (until the next one is bound)."""
    _run_id.set(run_id)


def current_run() -> str | None:
    return _run_id.get()


def _level_of(message: str) -> str:
    head = message.lstrip().lower()
    if head.startswith("error"):
        return "error"
    if head.startswith("warning"):
        return "warning"
    return "info"


def say(*parts: object, level_name: str | None = None, flush: bool = False) -> None:
    """Write one line (print's way of joining `parts`) to stderr at its level."""
    message = " ".join(str(p) for p in parts)
    name = level_name or _level_of(message)
    try:
        threshold, fmt = LEVELS[level()], log_format()
    except config.ConfigError:  # reported by start_command; never lose a line meanwhile
        threshold, fmt = LEVELS["info"], "text"
    if LEVELS[name] < threshold and name != "error":
        return
    _clear_progress()
    if fmt == "json":
        line = json.dumps({
            "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": name,
            "run_id": _run_id.get(),
            "command": _command,
            "pid": os.getpid(),
            "message": message,
        })
    else:
        line = message
    print(line, file=sys.stderr, flush=flush)


def progress(message: str) -> None:
    """Show how far long work has got, on one terminal line; silent elsewhere."""
    global _progress_shown
    if not sys.stderr.isatty() or log_format() != "text" or LEVELS[level()] > LEVELS["info"]:
        return
    width = 100
    sys.stderr.write("\r" + message[:width].ljust(width))
    sys.stderr.flush()
    _progress_shown = True


def _clear_progress() -> None:
    global _progress_shown
    if _progress_shown:
        sys.stderr.write("\r" + " " * 100 + "\r")
        _progress_shown = False


def done_progress() -> None:
    _clear_progress()
