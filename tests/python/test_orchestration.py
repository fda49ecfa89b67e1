"""The Dagster code location (orchestration/): the ACA domain lands and builds end to end
through Dagster on the `ci` target, with the marts `make demo` builds; an unreachable source
is retried and then succeeds, a bad file fails at once; the sensor sees new claim files; the
UI's asset graph renders in headless Chromium (screenshot in test-output/orchestration/).

Runs with `make test-orchestration` (WAREHOUSE_TEST_ORCHESTRATION=1, after the
`orchestration` dependency group is installed); skipped otherwise.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import start_chromium

from ingest import config, domains, warehouse

pytestmark = [
    pytest.mark.build,
    pytest.mark.orchestration,
    pytest.mark.skipif(
        os.environ.get("WAREHOUSE_TEST_ORCHESTRATION") != "1",
        reason="Dagster code location: run `make test-orchestration` "
               "(sets WAREHOUSE_TEST_ORCHESTRATION=1)",
    ),
]

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "orchestration"
DOMAIN = "aca"
SCALE = 0.02
DAYS = 2
TIMEOUT_S = 90


@pytest.fixture(scope="module")
def manifest_dir(tmp_path_factory) -> Path:
    """One dbt target folder for the module: the manifest is parsed once."""
    return tmp_path_factory.mktemp("dbt_target")


@pytest.fixture
def ci_warehouse(tmp_path, monkeypatch, manifest_dir) -> config.Target:
    monkeypatch.setenv("WAREHOUSE_TARGET", "ci")
    monkeypatch.setenv("WAREHOUSE_CI_DUCKDB_PATH", str(tmp_path / "warehouse.duckdb"))
    monkeypatch.setenv("WAREHOUSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WAREHOUSE_DBT_TARGET_PATH", str(manifest_dir))
    monkeypatch.setenv("WAREHOUSE_THREADS", "2")
    monkeypatch.setenv("WAREHOUSE_RETRY_DELAY_SECONDS", "0.1")
    return config.target()


def _sample() -> None:
    domains.get(DOMAIN).generator_module().sample(SCALE, DAYS, 42)


def _instance():
    import dagster as dg

    return dg.DagsterInstance.ephemeral()


def _events(result, kind: str) -> list:
    return [e for e in result.all_events if e.event_type_value == kind]


def test_domain_job_lands_and_builds_the_marts(ci_warehouse):
    from orchestration.graph import build_definitions, domain_job_name

    _sample()
    defs = build_definitions()
    result = defs.resolve_job_def(domain_job_name(DOMAIN)).execute_in_process(
        instance=_instance()
    )
    assert result.success
    materialized = {e.asset_key.path[-1] for e in _events(result, "ASSET_MATERIALIZATION")}
    checks = [e.event_specific_data
              for e in _events(result, "ASSET_CHECK_EVALUATION")]
    assert checks, "no dbt test ran as an asset check"
    failed = [c.asset_check_key.name for c in checks if not c.passed]
    assert not failed, f"asset checks failed: {failed}"

    # the marts `make demo` builds for the domain: every model of its marts folder, with rows
    folder = f"models/marts/{domains.get(DOMAIN).marts_folder}/"
    from orchestration import manifest

    marts = sorted(
        node["name"] for node in manifest.load()["nodes"].values()
        if node["resource_type"] == "model" and node["original_file_path"].startswith(folder)
    )
    assert marts and set(marts) <= materialized, set(marts) - materialized
    schema = domains.get(DOMAIN).mart_schema
    with warehouse.connect(ci_warehouse) as con:
        present = {name for name, _ in warehouse.relations(con, schema)}
        assert set(marts) <= present, set(marts) - present
        for mart in ("fct_claim_lines", "dim_member", "mart_plan_pmpm"):
            rows = warehouse.fetchall(con, f"select count(*) from {schema}.{mart}")[0][0]
            assert rows > 0, f"{schema}.{mart} is empty"
    # the landing assets are upstream of the domain's dbt sources
    assert {"claim_lines", "members", "_dlt_loads"} <= materialized


def _land_only(defs):
    return defs.resolve_job_def("__ASSET_JOB").get_subset(
        asset_selection={k for k in defs.resolve_asset_graph().get_all_asset_keys()
                         if k.path[0] == DOMAIN and k.path[-1] in ("claim_lines",)}
    )


def test_unreachable_source_is_retried_then_succeeds(ci_warehouse, monkeypatch):
    import dagster as dg

    from orchestration import landing

    _sample()
    loader = domains.get(DOMAIN).loader_module()
    real = loader.load_sample
    calls = []

    def flaky(target):
        calls.append(target)
        if len(calls) == 1:
            raise ConnectionRefusedError("connection refused (simulated outage)")
        return real(target)

    monkeypatch.setattr(loader, "load_sample", flaky)
    manifest = __import__("orchestration.manifest", fromlist=["load"]).load()
    land = [a for a in landing.landing_assets(manifest, {}) if a.op.name == f"land_{DOMAIN}"]
    result = dg.materialize(land, instance=_instance())
    assert result.success
    assert len(calls) == 2
    assert len(_events(result, "STEP_UP_FOR_RETRY")) == 1
    with warehouse.connect(ci_warehouse) as con:
        rows = warehouse.fetchall(con, f"select count(*) from raw_{DOMAIN}.claim_lines")[0][0]
    assert rows > 0


def test_bad_file_fails_without_retry(ci_warehouse):
    import dagster as dg

    from ingest.sources import aca
    from orchestration import landing
    from orchestration import manifest as manifest_mod

    folder = aca.default_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "claim_lines_2025-01-01.csv").write_text("claim_id,line_number\nC1,1\n")
    land = [a for a in landing.landing_assets(manifest_mod.load(), {})
            if a.op.name == f"land_{DOMAIN}"]
    result = dg.materialize(land, instance=_instance(), raise_on_error=False)
    assert not result.success
    assert not _events(result, "STEP_UP_FOR_RETRY")
    failure = _events(result, "STEP_FAILURE")[0].event_specific_data.error
    assert "FileFormatError" in failure.message and "missing column" in failure.message


def test_transient_errors_are_told_from_bad_data():
    from ingest import run_lock
    from ingest.readers import FileFormatError
    from orchestration.landing import is_transient

    try:
        try:
            raise ConnectionRefusedError("refused")
        except ConnectionRefusedError as exc:
            raise RuntimeError("landing from the source failed") from exc
    except RuntimeError as wrapped:
        assert is_transient(wrapped)
    assert is_transient(TimeoutError("timed out"))
    assert is_transient(run_lock.LockHeld("the warehouse is being written by pid 1"))
    assert not is_transient(FileFormatError("claims.csv: line 1: missing column(s) x"))
    assert not is_transient(FileNotFoundError("no such file"))
    assert not is_transient(ValueError("bad value"))


def test_sensor_starts_the_aca_job_for_new_claim_files(ci_warehouse):
    import dagster as dg

    from orchestration.graph import build_definitions, domain_job_name

    defs = build_definitions()
    sensor = defs.resolve_sensor_def("aca_claim_files_sensor")
    assert sensor.job_name == domain_job_name(DOMAIN)
    empty = sensor.evaluate_tick(dg.build_sensor_context(instance=_instance()))
    assert not empty.run_requests
    _sample()
    first = sensor.evaluate_tick(dg.build_sensor_context(instance=_instance()))
    assert len(first.run_requests) == 1
    again = sensor.evaluate_tick(dg.build_sensor_context(instance=_instance(),
                                                         cursor=first.cursor))
    assert not again.run_requests, "the same files started a second run"


def test_jobs_schedule_and_concurrency(ci_warehouse):
    from orchestration.graph import DUCKDB_TAG, build_definitions, domain_job_name

    defs = build_definitions()
    for name in domains.names():
        job = defs.resolve_job_def(domain_job_name(name))
        assert job.tags[DUCKDB_TAG] == str(ci_warehouse.duckdb_path)
    assert defs.resolve_schedule_def("nightly_schedule").job_name == "nightly_job"
    graph = defs.resolve_asset_graph()
    exposures = [k for k in graph.get_all_asset_keys() if k.path[0] == "dashboards"]
    assert exposures and all(graph.get(k).parent_keys for k in exposures)
    fresh = [k for k in graph.get_all_asset_keys()
             if k.path[0] in domains.names() and graph.get(k).freshness_policy]
    assert {k.path[0] for k in fresh} == set(domains.names())


def test_instance_queues_one_run_per_duckdb_file():
    import dagster as dg
    import yaml

    from orchestration.graph import DUCKDB_TAG

    settings = yaml.safe_load((REPO_ROOT / "orchestration" / "dagster.yaml").read_text())
    with dg.instance_for_test(overrides=settings) as instance:
        limits = instance.get_concurrency_config().run_queue_config.tag_concurrency_limits
    assert {"key": DUCKDB_TAG, "value": {"applyLimitPerUniqueValue": True}, "limit": 1} in limits
    assert settings["telemetry"] == {"enabled": False}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dagster_ui(ci_warehouse, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    log = (tmp_path / "dagster.log").open("w")
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "dagster-webserver"), "-m",
         "orchestration.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dagster-webserver did not start: "
                                f"{(tmp_path / 'dagster.log').read_text()[-3000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture
def browser(tmp_path):
    driver = start_chromium(tmp_path / "chromium-profile", window="1600,1000",
                            page_load_timeout=TIMEOUT_S)
    yield driver
    driver.quit()


def wait_for(driver, script: str, what: str, timeout: float = TIMEOUT_S):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "timeout.png"
    driver.save_screenshot(str(shot))
    pytest.fail(f"{what} did not appear within {timeout:.0f}s (last value {value!r}; {shot})")


def _open(browser, url: str) -> None:
    browser.get(url)
    # the first visit offers a newsletter dialog: close it, so that the graph is visible
    browser.execute_script(
        "setTimeout(() => { for (const b of document.querySelectorAll('button'))"
        " if (b.innerText.trim() === 'Skip') b.click(); }, 3000);"
    )


def _graph_shows(names: list[str]) -> str:
    checks = " && ".join(f"t.includes({name!r})" for name in names)
    return (f"(() => {{ const t = document.body.innerText; const d = Array.from("
            f"document.querySelectorAll('button')).some(b => b.innerText.trim() === 'Skip');"
            f" return !d && {checks} ? t : null; }})()")


def test_asset_graph_page_renders(dagster_ui, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # the whole graph, one node per group: every domain, the shared models, the dashboards
    _open(browser, f"{dagster_ui}/asset-groups")
    groups = [*domains.names(), "warehouse", "dashboards"]
    wait_for(browser, _graph_shows(groups), f"the asset graph's groups {groups}")
    time.sleep(2)  # let the edges settle before the picture
    browser.save_screenshot(str(SCREENSHOTS / "asset_graph.png"))
    # one domain's group: landing, staging and marts as nodes
    _open(browser, f"{dagster_ui}/locations/orchestration.definitions/asset-groups/{DOMAIN}")
    wait_for(browser, _graph_shows(["_dlt_loads", "fct_member_months", "Materialize all"]),
             "the ACA group's nodes (landing and marts)")
    time.sleep(2)
    browser.save_screenshot(str(SCREENSHOTS / f"asset_graph_{DOMAIN}.png"))
