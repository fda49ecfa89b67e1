"""The static dbt docs site, opened as a reader would: headless Chromium (Debian's chromium
and chromedriver, installed by scripts/install-system-deps.sh).

The site is WAREHOUSE_DOCS_SITE when set (`make test` points it at the one `make checks`
generated); otherwise this module builds a small sample warehouse and generates the site
itself. Screenshots land in test-output/docs-site/. The column-lineage page (dbt-colibri,
`lineage/index.html` beside the site) is opened the same way, for one mart column of each
domain, and must draw that column's path back to the raw column it comes from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import start_chromium

from ingest import domains

pytestmark = pytest.mark.build

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-output" / "docs-site"
MART = "model.warehouse.fct_claim_lines"
MART_COLUMNS = ("claim_line_sk", "member_sk", "service_date", "allowed_amount_usd")
TIMEOUT_S = 60
# one mart column per registered domain, and the raw column it is computed from
COLUMN_LINEAGE = {
    "aca": ("mart_plan_pmpm", "allowed_pmpm_usd", "aca.claim_lines", "allowed_amount_usd"),
    "pm": ("mart_pm__project_health", "client_name", "pm.clients", "name"),
    "clinical": ("mart_clinical__mapping_review", "mapping_strategy", "clinical.mappings",
                 "strategy"),
    "tes": ("refinement_cache", "jurisdiction_id", "tes.configurations", "jurisdiction_id"),
    # the docs' sample warehouse lands a small Synthea export (scripts/docs_site.py)
    "synthea": ("fct_claim_lines", "service_date", "synthea.claims", "servicedate"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    given = os.environ.get("WAREHOUSE_DOCS_SITE")
    if given:
        path = Path(given)
        assert path.is_file(), f"WAREHOUSE_DOCS_SITE={given} does not exist (run `make checks`)"
        return path
    work = tmp_path_factory.mktemp("docs")
    env = {
        **os.environ,
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_CI_DUCKDB_PATH": str(work / "warehouse.duckdb"),
        "WAREHOUSE_DATA_DIR": str(work / "data"),
        "WAREHOUSE_DBT_TARGET_PATH": str(work / "target"),
        "WAREHOUSE_THREADS": "2",
    }
    proc = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/docs_site.py"), "generate", "--static",
         "--sample"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, f"docs generation failed:\n{proc.stdout[-3000:]}{proc.stderr}"
    return work / "target" / "static_index.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"),
                            page_load_timeout=TIMEOUT_S)
    yield driver
    driver.quit()


def wait_for(driver, script: str, what: str, timeout: float = TIMEOUT_S):
    """Poll a JavaScript expression until it is truthy; fail saying what never appeared."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = driver.execute_script(f"return ({script});")
        if value:
            return value
        time.sleep(0.25)
    shot = SCREENSHOTS / "timeout.png"
    driver.save_screenshot(str(shot))
    pytest.fail(f"{what} did not appear within {timeout:.0f}s (last value {value!r}; {shot})")


def open_page(driver, site: Path, route: str) -> None:
    driver.get(f"{site.as_uri()}#!/{route}")


def test_project_loads_with_the_overview(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    open_page(browser, site, "overview")
    wait_for(browser, "document.title === 'dbt Docs'", "the dbt docs page")
    tree = wait_for(
        browser,
        "(() => { const t = Array.from(document.querySelectorAll('a'))"
        ".map(a => a.innerText.trim()); return t.includes('warehouse') ? t : null; })()",
        "the project tree (project warehouse)",
    )
    for source in (*domains.names(), "ctl"):
        assert source in tree, f"source {source} missing from the tree"
    text = wait_for(
        browser,
        "(document.querySelector('.app-details') || {}).innerText",
        "the overview text",
    )
    # Our own __overview__ doc block, not dbt's default welcome text.
    assert "Welcome!" not in text
    for words in ("How to start", *domains.mart_schemas(), "ctl"):
        assert words in text, f"overview lacks {words!r}"
    links = browser.execute_script(
        "return Array.from(document.querySelectorAll('.app-details a')).map(a => a.href)"
    )
    lineage = (site.parent / "lineage" / "index.html").as_uri()
    assert lineage in links, f"overview does not link the column lineage page ({links})"
    browser.save_screenshot(str(SCREENSHOTS / "overview.png"))


def test_mart_page_shows_its_columns_and_meta(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    open_page(browser, site, f"model/{MART}")
    columns = wait_for(
        browser,
        "Array.from(document.querySelectorAll('#columns table tbody tr, .table-responsive "
        "tbody tr')).map(r => r.innerText)",
        "the columns table of fct_claim_lines",
    )
    text = "\n".join(columns)
    for column in MART_COLUMNS:
        assert column in text, f"column {column} missing from the page"
    details = browser.execute_script("return document.querySelector('.app-details').innerText")
    for label in ("OWNER", "DOMAIN", "CONTAINS_PII"):
        assert label in details.upper(), f"{label} not shown"
    browser.save_screenshot(str(SCREENSHOTS / "mart_columns.png"))


def test_lineage_graph_renders(site, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    open_page(browser, site, f"model/{MART}")
    wait_for(browser, "document.querySelector('.launcher-btn a')", "the lineage button")
    browser.execute_script("document.querySelector('.launcher-btn a').click()")
    nodes = wait_for(
        browser,
        "(() => { const c = document.getElementById('cy');"
        " const cy = c && c._cyreg && c._cyreg.cy;"
        " return cy && cy.nodes().length ? cy.nodes().map(n => n.id()) : null; })()",
        "the lineage graph",
    )
    assert MART in nodes
    assert any(n.startswith("model.warehouse.stg_aca__") for n in nodes), nodes
    painted = wait_for(
        browser,
        "(() => { let n = 0; for (const c of document.querySelectorAll('#cy canvas')) {"
        " if (!c.width || !c.height) continue;"
        " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
        " for (let i = 3; i < d.length; i += 4) if (d[i]) n++; } return n; })()",
        "pixels drawn on the lineage canvas",
    )
    assert painted > 500, f"only {painted} pixels drawn"
    browser.save_screenshot(str(SCREENSHOTS / "lineage.png"))


def column_path(lineage: dict, node: str, column: str) -> tuple[set, set]:
    """(every (node, column) the column is computed from, the node-to-node steps on the way)."""
    parents = lineage["lineage"]["parents"]
    found, steps, todo = set(), set(), [(node, column)]
    while todo:
        child = todo.pop()
        for parent in parents.get(child[0], {}).get(child[1], []):
            upstream = (parent["dbt_node"], parent["column"])
            steps.add((upstream[0], child[0]))
            if upstream not in found:
                found.add(upstream)
                todo.append(upstream)
    return found, steps


def test_every_domain_has_a_column_traced():
    assert set(COLUMN_LINEAGE) == set(domains.names())


@pytest.mark.parametrize("domain", sorted(COLUMN_LINEAGE))
def test_column_lineage_reaches_the_raw_column(site, browser, domain):
    mart, column, source, raw_column = COLUMN_LINEAGE[domain]
    model, source = f"model.warehouse.{mart}", f"source.warehouse.{source}"
    page = site.parent / "lineage" / "index.html"
    assert page.is_file(), f"{page} missing: docs_site.py writes it with the site"
    lineage = json.loads((page.parent / "colibri-manifest.json").read_text())
    found, steps = column_path(lineage, model, column)
    assert (source, raw_column) in found, f"{mart}.{column} does not reach {source}.{raw_column}"

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.get(f"{page.as_uri()}?model={model}&column={column}&parents=all")
    # the column's path is drawn as animated edges, from the raw table to the mart. The graph
    # is laid out in steps and only what is in view is drawn: fit it to the view (again on
    # every poll) until both ends of the path are drawn.
    drawn = wait_for(
        browser,
        "(() => { const fit = document.querySelector('.react-flow__controls-fitview');"
        " if (fit) fit.click();"
        " const e = Array.from(document.querySelectorAll('.react-flow__edge.animated'))"
        ".map(x => (x.getAttribute('aria-label') || '').replace(/^Edge from /, '')"
        ".split(' to '));"
        f" return e.some(x => x[0] === '{source}') && e.some(x => x[1] === '{model}')"
        " ? e : null; })()",
        f"the lineage of {mart}.{column} from {source} to {model}",
    )
    drawn = {tuple(edge) for edge in drawn}
    assert drawn <= steps, f"edges drawn that are not on the column's path: {drawn - steps}"
    browser.save_screenshot(str(SCREENSHOTS / f"column_lineage_{domain}.png"))
