"""`python -m ingest bench --nights N`: does the nightly run creep as the nights pile up?

In a throwaway folder, on DuckDB: ACA and PM samples of one day, then N nights of
`day aca`, `simulate pm --days 1` and `nightly --domains aca pm` (what `make day && make
nightly` does), each a command of its own as an operator runs it. Per night: the nightly's
wall seconds, the part dbt took (`run_results.json`) and the rest (start-up and landing).

Held to: the last night within NIGHTS_MAX_CREEP times the first incremental night (night 2:
night 1 lands and builds everything from nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from ingest import config

NIGHTS_MAX_CREEP = 1.5
DOMAINS = ("aca", "pm")


class NightsError(RuntimeError):
    """A command of a night failed; the message names it."""


def _cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "ingest", *args], cwd=config.PROJECT_ROOT,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-15:])
        raise NightsError(f"`python -m ingest {' '.join(args)}` exited {done.returncode}:\n"
                          f"{tail}")
    return time.perf_counter() - started


def _dbt_seconds(target_path: Path) -> tuple[float, list[tuple[str, float]]]:
    """dbt's elapsed seconds of the last run and its slowest nodes."""
    results = json.loads((target_path / "run_results.json").read_text())
    nodes = sorted(((r["unique_id"].split(".")[-1], r["execution_time"])
                    for r in results["results"]), key=lambda x: -x[1])
    return float(results["elapsed_time"]), [(n, round(s, 2)) for n, s in nodes[:5]]


def run_nights(nights: int, aca_scale: float, pm_scale: float, work_dir: Path | None = None,
               keep: bool = False, log=print) -> dict:
    work = Path(tempfile.mkdtemp(prefix="warehouse-bench-nights-", dir=work_dir))
    target_path = work / "dbt_target"
    env = {
        **os.environ,
        "WAREHOUSE_TARGET": "dev",
        "WAREHOUSE_DATA_DIR": str(work / "data"),
        "WAREHOUSE_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "WAREHOUSE_DBT_TARGET_PATH": str(target_path),
    }
    env.pop("WAREHOUSE_TESTS_AFTER_LOAD", None)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    rows = []
    try:
        _cli(env, "generate", "aca", "--scale", str(aca_scale), "--days", "1")
        _cli(env, "generate", "pm", "--scale", str(pm_scale), "--days", "1")
        for night in range(1, nights + 1):
            prepare = 0.0
            if night > 1:
                prepare = _cli(env, "day", "aca") + _cli(env, "simulate", "pm", "--days", "1")
            total = _cli(env, "nightly", "--domains", *DOMAINS)
            dbt, slowest = _dbt_seconds(target_path)
            rows.append({"night": night, "seconds": round(total, 2), "dbt_seconds": round(dbt, 2),
                         "other_seconds": round(total - dbt, 2),
                         "day_and_simulate_seconds": round(prepare, 2), "slowest": slowest})
            log(f"night {night}: {total:.1f} s (dbt {dbt:.1f} s)")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    first = rows[1]["seconds"] if len(rows) > 1 else rows[0]["seconds"]
    last = rows[-1]["seconds"]
    creep = round(last / first, 3) if first else None
    return {
        "measured_at": started_at,
        "parameters": {"nights": nights, "aca_scale": aca_scale, "pm_scale": pm_scale,
                       "domains": list(DOMAINS)},
        "load_average_1m": os.getloadavg()[0],
        "nights": rows,
        "target": {"target": "last night vs first incremental night",
                   "want": f"<= {NIGHTS_MAX_CREEP}", "measured": creep,
                   "met": creep is not None and creep <= NIGHTS_MAX_CREEP},
    }


def render(doc: dict) -> str:
    p = doc["parameters"]
    lines = [f"nightly over {p['nights']} nights: ACA scale {p['aca_scale']:g}, PM scale "
             f"{p['pm_scale']:g}, load average {doc['load_average_1m']:.2f} at the end", "",
             f"{'night':>5}{'seconds':>10}{'dbt s':>10}{'other s':>10}  slowest nodes (s)"]
    for r in doc["nights"]:
        lines.append(f"{r['night']:>5}{r['seconds']:>10.2f}{r['dbt_seconds']:>10.2f}"
                     f"{r['other_seconds']:>10.2f}  "
                     + ", ".join(f"{n} {s}" for n, s in r["slowest"][:3]))
    t = doc["target"]
    lines += ["", f"{'MET ' if t['met'] else 'MISS'}  {t['target']}: {t['measured']} "
              f"(want {t['want']})"]
    return "\n".join(lines)
