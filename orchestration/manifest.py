"""The dbt manifest the asset graph is built from: `dbt parse` into
`<WAREHOUSE_DBT_TARGET_PATH or target>/dagster`, again whenever a project file is newer."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingest import config

# what a parse reads: a change to any of these makes the manifest stale
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "selectors.yml", "models", "snapshots",
                  "seeds", "macros", "tests", "analyses")


class ManifestError(RuntimeError):
    """dbt could not parse the project, so there is no asset graph to show."""


def target_dir() -> Path:
    """The dbt target folder of the orchestrated runs (each run writes a subfolder)."""
    value = config.env("WAREHOUSE_DBT_TARGET_PATH", "")
    base = Path(value) if value else config.PROJECT_ROOT / "target"
    if not base.is_absolute():
        base = config.PROJECT_ROOT / base
    return base / "dagster"


def _newest_input() -> float:
    newest = 0.0
    for name in PROJECT_INPUTS:
        path = config.PROJECT_ROOT / name
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.suffix in (".sql", ".yml", ".yaml", ".csv", ".md"):
                    newest = max(newest, child.stat().st_mtime)
    return newest


def manifest_path() -> Path:
    """The manifest, parsed first when missing or older than a project file."""
    folder = target_dir()
    path = folder / "manifest.json"
    if path.exists() and path.stat().st_mtime >= _newest_input():
        return path
    from ingest import dbt_runner

    folder.mkdir(parents=True, exist_ok=True)
    target = config.env("WAREHOUSE_TARGET", "dev")
    saved = os.environ.get("WAREHOUSE_DBT_TARGET_PATH")
    os.environ["WAREHOUSE_DBT_TARGET_PATH"] = str(folder)
    try:
        result = dbt_runner.invoke(["parse", "--quiet"], target=target)
    finally:
        if saved is None:
            os.environ.pop("WAREHOUSE_DBT_TARGET_PATH", None)
        else:
            os.environ["WAREHOUSE_DBT_TARGET_PATH"] = saved
    if not result.success or not path.exists():
        raise ManifestError(
            f"`dbt parse` of {config.PROJECT_ROOT} failed (target {target}): "
            f"{result.exception or 'see the dbt messages above'}; the asset graph needs a "
            "manifest: fix the project (or run `python -m ingest build -- parse`) and reload"
        )
    return path


def load() -> dict:
    return json.loads(manifest_path().read_text(encoding="utf-8"))
