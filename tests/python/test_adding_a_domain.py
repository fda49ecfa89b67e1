"""docs/adding-a-domain.md, followed to the letter: a new domain is its own folders plus one
registry entry, and it lands, builds, rejects, grants and documents end to end.

The project is copied (the files git would commit), the `parcels` domain of
tests/python/fixtures/new_domain/ is laid over the copy and its entry appended to
`vars.domains` in the copy's dbt_project.yml, the one shared file it touches. Then the
copy's own CLI runs on PostgreSQL: roles, `nightly --domains parcels` (the registry's loader
and selection), `dbt docs generate`, `summary`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import REPO_ROOT, copy_project, query

pytestmark = pytest.mark.build

FIXTURE = REPO_ROOT / "tests" / "python" / "fixtures" / "new_domain"
PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
# where a domain's own files live; anything else a new domain needed would be a shared file
OWN_PATHS = re.compile(
    r"^(ingest/(sources|loaders|generators)/parcels\.py|models/(staging|marts)/parcels/.+)$"
)


def _add_domain(project: Path) -> list[str]:
    """Lay the domain's own files over the project and register it; returns what it added."""
    added = []
    for folder in ("ingest", "models"):
        for src in sorted((FIXTURE / folder).rglob("*")):
            if src.is_file():
                relative = src.relative_to(FIXTURE).as_posix()
                (project / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, project / relative)
                added.append(relative)
    project_file = project / "dbt_project.yml"
    config = yaml.safe_load(project_file.read_text())
    config["vars"]["domains"] += yaml.safe_load((FIXTURE / "registry_entry.yml").read_text())
    project_file.write_text(yaml.safe_dump(config, sort_keys=False))
    return added


def _cli(project: Path, *args: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "ingest", *args], cwd=project, capture_output=True, text=True,
        timeout=900, env={**os.environ, "PYTHONPATH": str(project)},
    )
    assert done.returncode == 0, (
        f"python -m ingest {' '.join(args)} exited {done.returncode}:\n"
        f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return done.stdout + done.stderr


@pytest.mark.postgres
def test_a_new_domain_needs_its_folders_and_one_registry_entry(pg_warehouse, tmp_path):
    project = tmp_path / "project"
    copy_project(project)
    added = _add_domain(project)
    assert added and all(OWN_PATHS.match(path) for path in added), added

    sample = Path(os.environ["WAREHOUSE_DATA_DIR"]) / "sample" / "parcels"
    sample.mkdir(parents=True)
    for csv in (FIXTURE / "data").glob("*.csv"):
        shutil.copy2(csv, sample / csv.name)

    assert "parcels" in _cli(project, "domains", "--names").split()
    _cli(project, "setup-roles")
    _cli(project, "nightly", "--domains", "parcels")

    # the mart, in the schema the registry names, from the current version of each parcel
    assert query(
        "select shipped_on, carrier, parcel_count, weight_kg from parcels.mart_parcels__daily "
        "order by 1, 2"
    ) == [
        (date.fromisoformat("2025-03-01"), "dhl", 1, Decimal("11.500")),
        (date.fromisoformat("2025-03-01"), "ups", 2, Decimal("1.700")),
        (date.fromisoformat("2025-03-02"), "dhl", 1, Decimal("0.750")),
        (date.fromisoformat("2025-03-02"), "ups", 1, Decimal("5.500")),
    ]
    # every row that cannot be used reaches ctl.rejects with its reason
    assert sorted(query(
        "select row_key, reject_reason from ctl.rejects where domain = 'parcels'"
    )) == [
        ("parcels_2025-03-01.csv:1", "duplicate parcel_id within file"),
        ("parcels_2025-03-01.csv:4", "unparseable shipped_on"),
        ("parcels_2025-03-01.csv:5", "unparseable weight_kg"),
        ("parcels_2025-03-01.csv:6", "blank parcel_id"),  # 6th row read; line 7 was not
        ("parcels_2025-03-01.csv:line 7", "unsplittable line: expected 4 fields, found 3"),
    ]
    assert query("select count(*) from ctl.loaded_files where domain = 'parcels'") == [(2,)]
    # analysts read the new mart schema, never its staging
    assert query(
        "select has_schema_privilege('analyst', 'parcels', 'usage'), "
        "has_table_privilege('analyst', 'parcels.mart_parcels__daily', 'select'), "
        "has_table_privilege('analyst', 'staging.stg_parcels__parcels', 'select')"
    ) == [(True, True, False)]

    _cli(project, "build", "--", "docs", "generate")
    target = Path(os.environ["WAREHOUSE_DBT_TARGET_PATH"])
    catalog = json.loads((target / "catalog.json").read_text())
    columns = catalog["nodes"]["model.warehouse.mart_parcels__daily"]["columns"]
    assert {"shipped_on", "carrier", "parcel_count", "weight_kg"} <= set(columns)
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["nodes"]["model.warehouse.mart_parcels__daily"]["description"]

    assert "schema parcels" in _cli(project, "summary")
