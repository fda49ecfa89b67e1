"""Re-runs and crashes: a load or a build killed with SIGKILL, then run again, ends with
exactly the rows of a clean run; landing and building twice leaves every mart identical.

Loads run as `python -m ingest load aca PATH` in a subprocess; each trial adds the next day's
files and kills the load at a chosen phase (reading files, dlt extract, normalize, load,
after the load), found by watching dlt's working folder, plus a seeded random delay. The
build runs as `python -m ingest build` and is killed when a chosen model starts.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from fixtures.bad_input.reliability import (
    ACA_BUILD,
    ACA_TABLES,
    PYTHON,
    REPO_ROOT,
    build_aca,
    query,
    scalar,
)

from ingest import config, runner, warehouse
from ingest.generators import aca as generator
from ingest.loaders import aca as loader
from tools import parity

pytestmark = pytest.mark.build

SEED = 20251123
DAYS = 12
LOAD_PHASES = ("read", "extract", "normalize", "load", "loaded")
# models to kill the build in: the snapshot, an SCD2 dimension, the incremental fact
BUILD_KILL_AT = ("snp_aca__members", "fct_claim_lines", "dim_member")


def pipeline_dir(target: config.Target) -> Path:
    return runner.pipelines_dir(target) / "warehouse_aca"


PHASE_FOLDERS = (  # where dlt keeps a load package in each phase, latest phase first
    ("loaded", ("load", "loaded")),
    ("load", ("load", "normalized")),
    ("normalize", ("load", "new")),
    ("extract", ("normalize", "extracted")),
)


def packages(pdir: Path) -> set[str]:
    """Every load package in dlt's working folder, as 'folder/load id'."""
    found = set()
    for _, parts in PHASE_FOLDERS:
        folder = pdir.joinpath(*parts)
        if folder.is_dir():
            found |= {f"{'/'.join(parts)}/{p.name}" for p in folder.iterdir()}
    return found


def phase_of(pdir: Path, before: set[str]) -> str:
    """The phase of the running load: the latest folder holding a package it made (a killed
    run's leftovers, present before it started, do not count)."""
    new = packages(pdir) - before
    for phase, parts in PHASE_FOLDERS:
        if any(p.startswith("/".join(parts) + "/") for p in new):
            return phase
    return "read"


def kill_load_at(folder: Path, target: config.Target, phase: str, rng: random.Random) -> str:
    """Start a load, SIGKILL it inside `phase`; return the phase it was in when killed, or
    'finished' when it ended first.

    The load runs in short slices between SIGSTOP and SIGCONT, and dlt's working folder is
    read while the process is stopped, so the phase seen is the phase it is killed in, and
    a phase of a few milliseconds (normalizing a small package) is not stepped over. Once
    in the phase, it runs a seeded random number of further slices before the kill."""
    pdir = pipeline_dir(target)
    before = packages(pdir)
    proc = subprocess.Popen(
        [PYTHON, "-m", "ingest", "load", "aca", str(folder)], cwd=REPO_ROOT,
        env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wanted = LOAD_PHASES.index(phase)
    started = time.monotonic()
    if phase == "read":
        # before dlt starts: while the interpreter imports and the files are read
        time.sleep(rng.uniform(0.5, 3.0))
    slices_left = rng.randint(0, 3)
    try:
        while proc.poll() is None and time.monotonic() - started < 120:
            os.killpg(proc.pid, signal.SIGSTOP)
            if proc.poll() is not None:
                break
            now = LOAD_PHASES.index(phase_of(pdir, before))
            if now > wanted or (now == wanted and slices_left == 0):
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
                return LOAD_PHASES[now]
            if now == wanted:
                slices_left -= 1
            os.killpg(proc.pid, signal.SIGCONT)
            time.sleep(0.002)
        return "finished"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def kill_build_at(model: str, rng: random.Random) -> bool:
    """Start `dbt build`, SIGKILL it just after `model` starts; True when it was killed."""
    proc = subprocess.Popen(
        [PYTHON, "-m", "ingest", "build", "--", *ACA_BUILD], cwd=REPO_ROOT,
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        for line in proc.stdout:
            if " START " in line and f".{model} " in line:
                time.sleep(rng.uniform(0.0, 0.3))
                break
        if proc.poll() is not None:
            return False
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return True
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def raw_tables() -> set[str]:
    return {t for (t,) in query(
        "select table_name from information_schema.tables where table_schema = 'raw_aca'"
    )}


def completed(table: str) -> str:
    return (
        f"select * from raw_aca.{table} where _dlt_load_id in "
        "(select load_id from raw_aca._dlt_loads where status = 0)"
    )


def raw_counts() -> dict[str, int]:
    return {t: scalar(f"select count(*) from ({completed(t)}) r") for t in ACA_TABLES}


def doubled_rows() -> int:
    """Rows of completed loads that landed more than once (same file, same row)."""
    present = raw_tables()
    if "_dlt_loads" not in present:
        return 0
    return sum(
        scalar(
            "select count(*) from (select _source_file, _source_row_number "
            f"from ({completed(t)}) r group by 1, 2 having count(*) > 1) d"
        )
        for t in ACA_TABLES
        if t in present
    )


def mart_checksums(schema: str = "aca") -> dict[str, tuple[int, str]]:
    """relation -> (rows, order-independent checksum), load ids and load times left out."""
    out = {}
    with warehouse.connect() as con:
        for name, _kind in warehouse.relations(con, schema):
            columns = [
                c for (c,) in warehouse.fetchall(
                    con,
                    "select column_name from information_schema.columns where table_schema = "
                    f"'{schema}' and table_name = '{name}' order by ordinal_position",
                )
                if c not in parity.VOLATILE_COLUMNS
            ]
            cols = ", ".join(f'"{c}"' for c in columns)
            rows = Counter(
                tuple(parity.normalize(v) for v in row)
                for row in warehouse.fetchall(con, f'select {cols} from {schema}."{name}"')
            )
            out[f"{schema}.{name}"] = (sum(rows.values()), parity.checksum(rows))
    assert out, f"no relation in schema {schema}"
    return out


def expected_rows(manifest: dict) -> dict[str, int]:
    rows = {t: 0 for t in ACA_TABLES}
    for meta in manifest["files"].values():
        rows[meta["entity"]] += meta["rows"]
    return rows


@pytest.mark.parametrize(
    "engine", ["duckdb", pytest.param("pg", marks=[pytest.mark.slow, pytest.mark.postgres])]
)
def test_killed_loads_and_builds_rerun_to_exactly_a_clean_run(engine, request, tmp_path):
    target = request.getfixturevalue(f"{engine}_warehouse")
    rng = random.Random(SEED)
    sample = tmp_path / "sample"
    manifest = generator.generate(sample, 0.02, date(2025, 1, 1), DAYS, seed=5, dirty=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample / "rating_areas.csv", inbox)
    days = manifest["generated_days"]

    # 10 trials: each adds the next day's files and kills the load at a phase
    outcomes = []
    for trial in range(10):
        for f in sample.glob(f"*_{days[trial]}.csv"):
            shutil.copy(f, inbox)
        phase = LOAD_PHASES[trial % len(LOAD_PHASES)]
        outcomes.append((phase, kill_load_at(inbox, target, phase, rng)))
        assert doubled_rows() == 0, f"trial {trial}: a killed load doubled rows"
    killed_in = {seen for _, seen in outcomes}
    print("load kills (phase aimed at, phase hit):", outcomes)
    assert {"extract", "normalize", "load"} <= killed_in, outcomes

    for day in days[10:]:
        for f in sample.glob(f"*_{day}.csv"):
            shutil.copy(f, inbox)
    loader.load([inbox])
    # none lost, none doubled: every row of every file, once
    assert raw_counts() == expected_rows(manifest)
    assert doubled_rows() == 0
    files = query(
        "select file_name, count(*) from raw_aca._landed_files where _dlt_load_id in "
        "(select load_id from raw_aca._dlt_loads where status = 0) group by 1"
    )
    assert sorted(files) == sorted((name, 1) for name in manifest["files"])

    # builds killed in the snapshot, a dimension, the incremental fact, an aggregate
    trials = BUILD_KILL_AT if engine == "duckdb" else BUILD_KILL_AT[:2]
    killed = [kill_build_at(model, rng) for model in trials]
    print("builds killed:", dict(zip(trials, killed, strict=True)))
    assert any(killed), "no build was killed mid-run"
    build_aca()  # its data tests: unique keys, raw = used + rejected, fact = staging, SCD2
    first = mart_checksums()
    injected = sum(
        sum(meta["injected"].values()) for meta in manifest["files"].values()
        if meta["entity"] == "claim_lines"
    )
    unknown = sum(m["injected"].get("unknown_member", 0) for m in manifest["files"].values())
    expected_fact = expected_rows(manifest)["claim_lines"] - injected + unknown
    assert first["aca.fct_claim_lines"][0] == expected_fact

    # idempotence: the same inputs landed and built again change no mart
    again = loader.load([inbox])
    assert again.files_landed == []
    build_aca()
    assert mart_checksums() == first
