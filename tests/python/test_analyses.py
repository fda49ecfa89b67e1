"""The sample queries in analyses/: listed in the README, documented, compiling on both engines."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, dbt

from ingest import domains

pytestmark = pytest.mark.build

ANALYSES = sorted(p.stem for p in (REPO_ROOT / "analyses").glob("*.sql"))


def test_readme_lists_every_analysis():
    readme = (REPO_ROOT / "README.md").read_text()
    # the table of the "Sample queries" section (other tables name groups, targets, ...)
    section = readme.split("## Sample queries", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([a-z0-9_]+)` \|", section, flags=re.MULTILINE))
    assert ANALYSES, "no analyses"
    assert set(ANALYSES) <= listed, f"not in README: {sorted(set(ANALYSES) - listed)}"
    schemas = set(domains.mart_schemas())
    stale = {name for name in listed if name.split("_")[0] in schemas}
    assert stale <= set(ANALYSES), f"README lists missing analyses: {sorted(stale - set(ANALYSES))}"


def test_every_analysis_is_described():
    data = yaml.safe_load((REPO_ROOT / "analyses/_analyses.yml").read_text())
    described = {a["name"]: a.get("description", "").strip() for a in data["analyses"]}
    for name in ANALYSES:
        assert described.get(name), f"analyses/_analyses.yml does not describe {name}"
    assert set(described) <= set(ANALYSES), "described analyses that do not exist"


def test_every_analysis_compiles(warehouse):
    dbt("compile", "--select", "resource_type:analysis")
    compiled = Path(os.environ["WAREHOUSE_DBT_TARGET_PATH"]) / "compiled/warehouse/analyses"
    for name in ANALYSES:
        sql = (compiled / f"{name}.sql").read_text()
        assert "{{" not in sql and "{%" not in sql, f"{name}: template left in the SQL"
        assert re.search(r"\bselect\b", sql, re.IGNORECASE), f"{name}: no select"
        # refs resolve to the fixed schema names analysts use on every engine
        assert not re.search(r"\bref\(", sql), f"{name}: unresolved ref"
