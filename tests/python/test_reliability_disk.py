"""A full disk: the DuckDB file, the Parquet lake and dlt's working folder on a small tmpfs
that fills up before a load writes the lake, while dlt loads into DuckDB, and while dbt
builds the incremental fact.

Each time the run stops with one line (`no space left on <device> mounted at <path> while
<step>`), exit 1, no traceback; the warehouse still opens and answers; once the filler is
deleted the next run completes and every mart equals a clean run's on the same files.

The disk is filled deterministically: the run is paused (SIGSTOP) at the moment chosen, a
filler file takes every free byte, and the run goes on (SIGCONT). Mounting needs root
(CAP_SYS_ADMIN); where it is not permitted the test is skipped, saying so.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from fixtures.bad_input.reliability import ACA_BUILD, PYTHON, REPO_ROOT, build_aca
from test_reliability_crashes import mart_checksums, packages, phase_of

from ingest import config, runner
from ingest.generators import aca as generator
from ingest.loaders import aca as loader

pytestmark = pytest.mark.build

SIZE_MB = 160
START = date(2025, 1, 1)
DAYS = 8
SCALE = 0.02


@pytest.fixture
def small_disk():
    mount = Path(tempfile.mkdtemp(prefix="warehouse-full-disk-"))
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        mount.rmdir()
        pytest.skip(f"cannot mount a tmpfs (needs root / CAP_SYS_ADMIN): {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        mount.rmdir()


def fill(mount: Path) -> Path:
    """Take every free byte of the filesystem with a filler file."""
    filler = mount / "filler"
    chunk = 1 << 20
    with filler.open("ab", buffering=0) as fh:
        while chunk >= 512:
            try:
                fh.write(b"\0" * chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                chunk //= 2
    assert shutil.disk_usage(mount).free < 64 * 1024
    return filler


def start_cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "ingest", *args], cwd=REPO_ROOT, env=dict(os.environ), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def finish(proc: subprocess.Popen) -> tuple[int, str]:
    try:
        out, err = proc.communicate(timeout=240)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail("the run did not end on a full disk")
    return proc.returncode, (out or "") + (err or "")


def assert_one_clear_line(code: int, output: str, mount: Path, step: str) -> str:
    assert code == 1, output[-3000:]
    assert "Traceback" not in output, output[-3000:]
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert errors, output[-3000:]
    last = errors[-1]
    assert last.startswith("error: no space left on tmpfs (tmpfs) mounted at "
                           f"{mount.resolve()}"), last
    assert any(f"while {s}" in last for s in step.split("|")), last
    return last


def assert_answers(target: config.Target) -> None:
    """The DuckDB file opens and answers, while the disk is still full."""
    con = duckdb.connect(str(target.duckdb_path), read_only=True)
    try:
        assert con.execute("select count(*) from raw_aca._dlt_loads").fetchone()[0] >= 1
    finally:
        con.close()


def pause_when_loading(proc: subprocess.Popen, pdir: Path, before: set[str]) -> None:
    """Run the load in short slices; return it paused once dlt's package is in the load step."""
    deadline = time.monotonic() + 180
    while proc.poll() is None and time.monotonic() < deadline:
        os.killpg(proc.pid, signal.SIGSTOP)
        if phase_of(pdir, before) in ("load", "loaded"):
            return
        os.killpg(proc.pid, signal.SIGCONT)
        time.sleep(0.002)
    pytest.fail(f"the load ended (rc {proc.poll()}) before dlt's load step was seen")


def pause_when_started(proc: subprocess.Popen, model: str) -> None:
    for line in proc.stdout:
        if " START " in line and f".{model} " in line:
            os.killpg(proc.pid, signal.SIGSTOP)
            return
    pytest.fail(f"the build ended (rc {proc.wait()}) before {model} started")


def copy_day(sample: Path, inbox: Path, day: str) -> None:
    for f in sample.glob(f"*_{day}.csv"):
        shutil.copy(f, inbox)


def use_warehouse(root: Path, monkeypatch, dbt_target: Path) -> config.Target:
    monkeypatch.setenv("WAREHOUSE_TARGET", "dev")
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(root / "warehouse.duckdb"))
    monkeypatch.setenv("WAREHOUSE_DBT_TARGET_PATH", str(dbt_target))
    monkeypatch.setenv("WAREHOUSE_THREADS", "2")
    monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "1GB")
    return config.target()


def test_full_disk_before_landing_while_loading_and_while_building(
    small_disk, tmp_path, monkeypatch
):
    sample = tmp_path / "sample"
    manifest = generator.generate(sample, SCALE, START, DAYS, seed=13, dirty=True)
    days = manifest["generated_days"]
    first, second, third = (tmp_path / f"inbox_{n}" for n in ("first", "second", "third"))
    for inbox in (first, second, third):
        inbox.mkdir()
    shutil.copy(sample / "rating_areas.csv", first)
    copy_day(sample, first, days[0])
    for d in days[1:4]:
        copy_day(sample, second, d)
    for d in days[4:]:
        copy_day(sample, third, d)

    # a clean run on an ordinary disk: three loads, one build
    use_warehouse(tmp_path / "clean", monkeypatch, tmp_path / "clean_dbt")
    for n in range(1, 4):
        loader.load([first, second, third][:n])
    build_aca()
    expected = mart_checksums()

    target = use_warehouse(small_disk, monkeypatch, tmp_path / "full_dbt")
    loader.load([first])

    # 1. the disk is already full when the next load starts: it stops taking the run lock
    # (the lock file beside the DuckDB file) or writing the lake
    filler = fill(small_disk)
    code, output = finish(start_cli("load", "aca", str(first), str(second)))
    print("full before landing:",
          assert_one_clear_line(code, output, small_disk, "starting the run|landing"))
    assert_answers(target)
    filler.unlink()

    # 2. the disk fills while dlt loads into DuckDB
    pdir = runner.pipelines_dir(target) / "warehouse_aca"
    before = packages(pdir)
    proc = start_cli("load", "aca", str(first), str(second))
    pause_when_loading(proc, pdir, before)
    filler = fill(small_disk)
    os.killpg(proc.pid, signal.SIGCONT)
    code, output = finish(proc)
    print("full while loading:", assert_one_clear_line(code, output, small_disk, "landing"))
    assert_answers(target)
    filler.unlink()

    # space again: the next loads land everything
    loader.load([first, second])
    loader.load([first, second, third])

    # 3. the disk fills while dbt builds the incremental fact
    proc = start_cli("build", "--", *ACA_BUILD)
    pause_when_started(proc, "fct_claim_lines")
    filler = fill(small_disk)
    os.killpg(proc.pid, signal.SIGCONT)
    code, output = finish(proc)
    print("full while building:",
          assert_one_clear_line(code, output, small_disk, "running dbt build"))
    assert_answers(target)
    filler.unlink()

    # the next build completes; every mart equals the clean run's
    build_aca()
    assert mart_checksums() == expected
