"""Land a Synthea CSV export (payers, patients, payer transitions, claims) into raw_synthea.

Staging maps it into the ACA star (models/staging/synthea/, docs/aca/synthea.md). The demo
has no Synthea sample: `python -m ingest load synthea PATH` lands an export's folder or files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest import config, runner
from ingest.log import say
from ingest.sources import synthea

KNOWN_FILES = "payers.csv, patients.csv, payer_transitions.csv, claims.csv"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="a Synthea CSV export folder (its output/csv) or some of its files: "
             f"{KNOWN_FILES} (default: data/sample/synthea, when it exists)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def load(paths: list[Path], target: config.Target | None = None) -> runner.LoadSummary:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(map(str, missing))}")
    files, unknown = synthea.discover(paths)
    if not files:
        raise FileNotFoundError(
            f"no Synthea file ({KNOWN_FILES}) in {', '.join(map(str, paths))}")
    if unknown:
        say(f"{len(unknown)} file(s) not landed (not a Synthea table this loader maps): "
            + ", ".join(f.name for f in unknown))
    return runner.land_files(synthea.DOMAIN, files, synthea.read, target=target)


def load_sample(target: config.Target) -> runner.LoadSummary:
    """The demo and `make load` (via the domain registry): the sample folder's new files, or
    nothing when the folder holds no Synthea file (the demo ships none)."""
    folder = synthea.default_dir()
    if not folder.is_dir() or not synthea.discover([folder])[0]:
        return runner.LoadSummary(synthea.DOMAIN, target.describe())
    return load([folder], target)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [synthea.default_dir()]
    summary = load(paths, config.target(args.target))
    say(summary.describe())
    return 0
