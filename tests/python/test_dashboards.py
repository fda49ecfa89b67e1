"""The dashboards (dashboards/, `make dashboards`), opened as an analyst would: headless
Chromium over a small sample warehouse.

Every dashboard exposure has a page and points at it; every page renders without a query
error, draws its charts, and its headline number equals the same figure queried from the
warehouse here. The warehouse is WAREHOUSE_DASHBOARDS_WAREHOUSE when set (`make test` points
it at the sample `make checks` builds); otherwise this module builds a sample of its own.
Screenshots land in test-output/dashboards/.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import start_chromium

pytestmark = pytest.mark.build

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "dashboards"
TIMEOUT_S = 60

streamlit = pytest.importorskip(
    "streamlit", reason="the dashboards group is not installed: `make setup-dashboards`"
)
sys.path.insert(0, str(REPO_ROOT / "dashboards"))
from registry import PAGES  # noqa: E402
from server import command  # noqa: E402

# page -> (headline label on the page, the same figure queried here, how it is shown)
HEADLINES = {
    "aca_plan_performance_dashboard": (
        "Allowed PMPM",
        "select sum(allowed_amount_usd) / sum(member_months) from aca.mart_plan_pmpm "
        "where month_start_date = (select max(month_start_date) from aca.mart_plan_pmpm)",
        "usd",
    ),
    "aca_claims_operations_dashboard": (
        "Claim lines",
        "select count(*) from aca.fct_claim_lines where service_date > "
        "(select max(service_date) from aca.fct_claim_lines) - 30",
        "count",
    ),
    "pm_portfolio_health_dashboard": (
        "Projects in red",
        "select count(*) from pm.mart_pm__project_health where health_status = 'red'",
        "count",
    ),
    "pm_service_delivery_dashboard": (
        "Reviews held", "select sum(reviews_held) from pm.fct_service_monthly_metrics", "count",
    ),
    "pm_issue_backlog_dashboard": (
        "Open issues today",
        "select count(*) from pm.fct_issue_daily_snapshot "
        "where snapshot_date = (select max(snapshot_date) from pm.fct_issue_daily_snapshot)",
        "count",
    ),
    "clinical_service_requests_dashboard": (
        "Service requests",
        "select count(distinct service_request_id) from clinical.fct_service_request",
        "count",
    ),
    "ecr_value_set_review_dashboard": (
        "Grouper codes", "select count(*) from ecr.tes_condition_grouper_codes", "count",
    ),
    "ecr_jurisdiction_configuration_status": (
        "Jurisdictions", "select count(*) from ecr.jurisdictions", "count",
    ),
    "warehouse_operations_dashboard": (
        "Files loaded", "select count(*) from ctl.loaded_files", "count",
    ),
    "benchmarks": ("Benchmark runs", None, "count"),
}


def _dashboard_exposures() -> dict[str, str | None]:
    """Every exposure of type dashboard in the project: name -> url."""
    found = {}
    for path in (REPO_ROOT / "models").rglob("_*__exposures.yml"):
        for exposure in yaml.safe_load(path.read_text()).get("exposures", []):
            if exposure.get("type") == "dashboard":
                found[exposure["name"]] = exposure.get("url")
    return found


def test_every_dashboard_exposure_has_its_page():
    pages = {url_path for _, url_path, _ in PAGES}
    exposures = _dashboard_exposures()
    assert exposures, "no dashboard exposure found"
    for name, url in exposures.items():
        assert name in pages, f"exposure {name} has no page in dashboards/registry.py"
        assert url == f"http://localhost:8501/{name}", f"exposure {name} points at {url}"
    for url_path in pages:
        assert (REPO_ROOT / "dashboards" / "views" / f"{url_path}.py").is_file(), url_path
    assert set(HEADLINES) == pages


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict[str, str]:
    """The environment that points at a small built DuckDB warehouse."""
    given = os.environ.get("WAREHOUSE_DASHBOARDS_WAREHOUSE")
    if given:
        assert Path(given).is_file(), f"WAREHOUSE_DASHBOARDS_WAREHOUSE={given} does not exist"
        folder = Path(given).parent
        return {"WAREHOUSE_TARGET": "ci", "WAREHOUSE_CI_DUCKDB_PATH": given,
                "WAREHOUSE_DATA_DIR": str(folder / "data")}
    work = tmp_path_factory.mktemp("dashboards")
    env = {"WAREHOUSE_TARGET": "ci", "WAREHOUSE_CI_DUCKDB_PATH": str(work / "warehouse.duckdb"),
           "WAREHOUSE_DATA_DIR": str(work / "data"),
           "WAREHOUSE_DBT_TARGET_PATH": str(work / "target")}
    done = subprocess.run(
        [sys.executable, "-c", "import docs_site; docs_site.build_sample()"],
        cwd=REPO_ROOT / "scripts", env={**os.environ, **env}, capture_output=True, text=True,
        timeout=1200,
    )
    assert done.returncode == 0, f"sample build failed:\n{done.stdout[-3000:]}{done.stderr}"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(sample, tmp_path_factory):
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command(port), cwd=REPO_ROOT, env={**os.environ, **sample},
                                stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                if reply.read() == b"ok":
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the dashboards did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"), window="1400,1200",
                            page_load_timeout=TIMEOUT_S)
    yield driver
    driver.quit()


def _expected(sample: dict[str, str], sql: str | None):
    if sql is None:
        return len(list((REPO_ROOT / "bench" / "results").glob("*.json")))
    import duckdb

    with duckdb.connect(sample["WAREHOUSE_CI_DUCKDB_PATH"], read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def _shown(text: str, kind: str):
    number = text.replace("$", "").replace(",", "").replace("%", "").strip()
    return Decimal(number) if kind == "usd" else int(number)


@pytest.mark.parametrize("page", [url_path for _, url_path, _ in PAGES])
def test_page_shows_its_headline_and_charts_without_error(site, sample, browser, page):
    label, sql, kind = HEADLINES[page]
    browser.get(f"{site}/{page}")
    state = "(() => { const m = {}; for (const e of document.querySelectorAll("
    state += "'[data-testid=stMetric]')) { const l = e.querySelector("
    state += "'[data-testid=stMetricLabel]'), v = e.querySelector("
    state += "'[data-testid=stMetricValue]'); if (l && v) m[l.innerText.trim()] = "
    state += "v.innerText.trim(); } const errors = Array.from(document.querySelectorAll("
    state += "'[data-testid=stException], [data-testid=stAlertContentError]'))"
    state += ".map(e => e.innerText); const charts = document.querySelectorAll("
    state += "'[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg')"
    state += ".length; const running = !!document.querySelector("
    state += "'[data-testid=stStatusWidget]'); return {metrics: m, errors, charts, running};"
    state += " })()"
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        seen = browser.execute_script(f"return {state};")
        if seen["errors"] or (label in seen["metrics"] and seen["charts"] and not seen["running"]):
            break
        if time.monotonic() > deadline:
            break
        time.sleep(0.5)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / f"{page}.png"))
    assert not seen["errors"], f"{page} shows an error:\n" + "\n".join(seen["errors"])
    assert label in seen["metrics"], f"{page}: no headline {label!r} ({json.dumps(seen)})"
    assert seen["charts"], f"{page} draws no chart"
    expected = _expected(sample, sql)
    shown = _shown(seen["metrics"][label], kind)
    if kind == "usd":
        expected = Decimal(str(expected)).quantize(Decimal("0.01"))
    assert shown == expected, f"{page}: {label} shows {shown}, the warehouse says {expected}"
