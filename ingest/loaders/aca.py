"""Land ACA CSV files (members, plans, providers, enrollments, claim lines, rating areas)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ingest import config, runner
from ingest.log import say
from ingest.sources import aca


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="CSV files or folders (default: the sample folder, data/sample/aca)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def load(paths: list[Path], target: config.Target | None = None) -> runner.LoadSummary:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(map(str, missing))}")
    files, unknown = aca.discover(paths)
    for f in unknown:
        runner.eprint(f"warning: {f.name}: not an ACA file name this loader knows, not landed")
    # aca.read keeps no state between calls: files are read in parallel, one per core
    return runner.land_files(aca.DOMAIN, files, aca.read, target=target,
                             workers=os.cpu_count() or 1)


def load_sample(target: config.Target) -> runner.LoadSummary:
    """What is new in the sample folder (the demo and `make load`, via the domain registry)."""
    return load([aca.default_dir()], target)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [aca.default_dir()]
    summary = load(paths, config.target(args.target))
    say(summary.describe())
    return 0
