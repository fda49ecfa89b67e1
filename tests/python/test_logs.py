"""What the CLI writes for its operator (ingest.log): JSON lines carrying the run id of
ctl.etl_run, levels, progress only on a terminal, and the .env file (ingest.config)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import config

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    (tmp_path / "empty").mkdir()
    return {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_CI_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
        "WAREHOUSE_DATA_DIR": str(tmp_path / "data"),
    }


def _cli(env: dict[str, str], *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ingest", *args], cwd=REPO_ROOT, env={**env, **extra},
        capture_output=True, text=True, timeout=300,
    )


def test_json_lines_carry_the_run_id_of_ctl_etl_run(env, tmp_path):
    done = _cli(env, "load", "aca", str(tmp_path / "empty"), WAREHOUSE_LOG_FORMAT="json")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line is JSON
    assert lines
    for line in lines:
        assert {"ts", "level", "run_id", "command", "pid", "message"} <= set(line)
        assert line["command"].startswith("python -m ingest load aca")
    with duckdb.connect(env["WAREHOUSE_CI_DUCKDB_PATH"], read_only=True) as con:
        run_ids = {r[0] for r in con.execute("select run_id from ctl.etl_run").fetchall()}
    assert len(run_ids) == 1
    assert {line["run_id"] for line in lines} == run_ids
    assert any("landed 0 file(s)" in line["message"] for line in lines)


def test_the_level_filters_what_is_written(env, tmp_path):
    quiet = _cli(env, "load", "aca", str(tmp_path / "empty"), WAREHOUSE_LOG_LEVEL="warning")
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stderr == ""
    bad = _cli(env, "load", "aca", str(tmp_path / "nowhere"), WAREHOUSE_LOG_LEVEL="error")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: no such file or folder")


@pytest.mark.parametrize(("name", "value"), [("WAREHOUSE_LOG_LEVEL", "loud"),
                                             ("WAREHOUSE_LOG_FORMAT", "xml")])
def test_a_bad_log_setting_is_refused_with_exit_2(env, tmp_path, name, value):
    done = _cli(env, "load", "aca", str(tmp_path / "empty"), **{name: value})
    assert done.returncode == 2
    assert done.stderr.strip() == done.stderr.strip().splitlines()[0]
    assert done.stderr.startswith(f"error: {name}=")


def test_progress_shows_on_a_terminal_only(env, tmp_path):
    args = [sys.executable, "-m", "ingest", "generate", "aca", "--out", str(tmp_path / "aca"),
            "--scale", "0.001", "--days", "3"]
    piped = subprocess.run(args, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert "generated day" not in piped.stderr and "\r" not in piped.stderr

    args[args.index("--out") + 1] = str(tmp_path / "aca_on_a_terminal")
    main, secondary = pty.openpty()
    proc = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=secondary)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert proc.wait(timeout=300) == 0
    assert b"\raca: generated day 3/3" in seen, seen[-500:]


def test_dotenv_fills_what_the_environment_leaves_unset(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# a comment\n\nWAREHOUSE_THREADS=2\nexport WAREHOUSE_PG_HOST=db.internal\n"
        "WAREHOUSE_PG_PASSWORD='s3 cret'\n"
    )
    monkeypatch.delenv("WAREHOUSE_THREADS", raising=False)
    monkeypatch.setenv("WAREHOUSE_PG_HOST", "set-in-the-environment")
    monkeypatch.delenv("WAREHOUSE_PG_PASSWORD", raising=False)
    config.load_dotenv(dotenv)
    assert os.environ["WAREHOUSE_THREADS"] == "2"
    assert os.environ["WAREHOUSE_PG_HOST"] == "set-in-the-environment"
    assert os.environ["WAREHOUSE_PG_PASSWORD"] == "s3 cret"


def test_a_malformed_dotenv_line_is_named(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("WAREHOUSE_THREADS=2\nthis is not a setting\n")
    with pytest.raises(config.ConfigError, match=r"line 2: expected KEY=value"):
        config.read_dotenv(dotenv)


def test_env_example_lists_every_variable_the_code_reads():
    listed = set()
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        name = line.lstrip("# ").split("=", 1)[0]
        if name.startswith("WAREHOUSE_") and "=" in line:
            listed.add(name)
    read = set()
    for folder in ("ingest", "scripts", "dashboards", "orchestration", "tests/python"):
        for path in (REPO_ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".sh"):
                read |= set(re.findall(r"WAREHOUSE_[A-Z0-9_]*[A-Z0-9]",
                                                     path.read_text()))
    for path in (REPO_ROOT / "profiles.yml", REPO_ROOT / "Makefile"):
        read |= set(re.findall(r"WAREHOUSE_[A-Z0-9_]*[A-Z0-9]", path.read_text()))
    missing = sorted(read - listed - {"WAREHOUSE_PG"})  # WAREHOUSE_PG_* in prose
    assert not missing, f"not in .env.example: {missing}"
