"""Benchmark stages run in a child process of their own (landing, building), so that each
stage's peak memory is its own; the machine the figures were measured on; the targets the
benchmark is held to.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ingest import config

SOURCE_ORDER = ("rating_areas", "plans", "providers", "members", "enrollments", "claim_lines")
DEFAULT_SELECT = "tag:aca+"
# Models of other domains that read the shared calendar are not part of the ACA workload.
DEFAULT_EXCLUDE = "tag:pm tag:clinical tag:tes"
RESULTS_DIR = config.PROJECT_ROOT / "bench" / "results"
# The targets the benchmark is held to (see bench/README.md).
LANDING_MIN_SPEED = 0.9          # landing at least 0.9x the engine's own reader
BUILD_MAX_OVERHEAD = 1.3         # dbt build under 1.3x the compiled SQL run directly
INCREMENTAL_MAX_SHARE = 0.05     # a one-day incremental build under 5 % of a full build
# dbt statuses of nodes that did what they should (exposures report no-op)
OK_STATUSES = ("success", "pass", "warn", "no-op")


class BenchError(RuntimeError):
    """A benchmark stage failed; the message says which and why."""


# ---------------------------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------------------------

def machine() -> dict:
    """Cores, memory and versions of the machine the figures were measured on."""
    import duckdb

    info = {
        "cpu_count": os.cpu_count(),
        "memory_total_bytes": _meminfo_total(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
    }
    try:
        from importlib.metadata import version

        info["dbt_core"] = version("dbt-core")
        info["dlt"] = version("dlt")
    except Exception:  # versions are informative only
        pass
    return info


def _meminfo_total() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


# ---------------------------------------------------------------------------------------------
# Child processes: one stage each, so that peak RSS belongs to that stage alone
# ---------------------------------------------------------------------------------------------

def _peak_rss_bytes() -> int:
    """Peak RSS of this process (and of any process it waited for).

    `VmHWM` belongs to the address space this process got at exec, so it is its own; the
    rusage figure would also carry the parent's peak across fork and exec.
    """
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux: kilobytes
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return max(int(line.split()[1]) * 1024, kids)
    except OSError:
        pass
    return max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, kids)


def _stage_land(params: dict) -> dict:
    from ingest.loaders import aca as loader

    target = config.target(params["target"])
    sources = {}
    for table, files in params["files"].items():
        started = time.perf_counter()
        summary = loader.load([Path(f) for f in files], target)
        seconds = time.perf_counter() - started
        sources[table] = {
            "files": len(summary.files_landed),
            "rows": summary.rows_by_table.get(table, 0),
            "bytes": sum(f.size_bytes for f in summary.files_landed),
            "seconds": seconds,
        }
    return {"sources": sources}


def _stage_build(params: dict) -> dict:
    from ingest import dbt_runner

    started = time.perf_counter()
    result = dbt_runner.invoke(params["dbt_args"], target=params["target"])
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "success": bool(result.success),
        "error": None if result.exception is None else str(result.exception),
    }


STAGES: dict[str, Callable[[dict], dict]] = {"land": _stage_land, "build": _stage_build}


def _child_main(argv: list[str]) -> int:
    stage, params_path, out_path = argv
    params = json.loads(Path(params_path).read_text())
    out = STAGES[stage](params)
    out["peak_rss_bytes"] = _peak_rss_bytes()
    Path(out_path).write_text(json.dumps(out))
    return 0


def run_stage(stage: str, params: dict, env: dict[str, str], work: Path) -> dict:
    """Run one stage in a fresh Python process with `env` added; return what it measured."""
    work.mkdir(parents=True, exist_ok=True)
    params_path = work / f"{stage}_params.json"
    out_path = work / f"{stage}_result.json"
    log_path = work / f"{stage}.log"
    params_path.write_text(json.dumps(params))
    out_path.unlink(missing_ok=True)
    child_env = {**os.environ, **env}
    started = time.perf_counter()
    with log_path.open("w") as log:
        proc = subprocess.run(
            [sys.executable, "-m", "tools.bench", stage, str(params_path), str(out_path)],
            cwd=str(config.PROJECT_ROOT), env=child_env, stdout=log, stderr=subprocess.STDOUT,
        )
    wall = time.perf_counter() - started
    if proc.returncode != 0 or not out_path.exists():
        tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-25:])
        raise BenchError(f"stage {stage} failed (exit {proc.returncode}); log {log_path}:\n{tail}")
    result = json.loads(out_path.read_text())
    result["process_seconds"] = wall
    return result

