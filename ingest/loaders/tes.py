"""Land TES value sets, eCR jurisdictions and Refiner configurations into raw_tes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest import config, runner
from ingest.log import say
from ingest.readers import FileFormatError
from ingest.sources import tes


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="JSON/CSV files or folders, searched recursively (default: data/sample/tes)",
    )
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def load(paths: list[Path], target: config.Target | None = None) -> runner.LoadSummary:
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(map(str, missing))}")
    files, not_landed, unknown = tes.discover(paths)
    for f in not_landed:
        runner.eprint(f"note: {f.name}: manifest or lookup file, not landed")
    for f in unknown:
        runner.eprint(f"warning: {f.name}: not a TES file name this loader knows, not landed")
    return runner.land_files(tes.DOMAIN, files, tes.read, target=target)


def load_sample(target: config.Target) -> runner.LoadSummary:
    """What is new in the sample folder (the demo and `make load`, via the domain registry)."""
    return load([tes.default_dir()], target)


def run(args: argparse.Namespace) -> int:
    paths = args.paths or [tes.default_dir()]
    try:
        summary = load(paths, config.target(args.target))
    except FileFormatError as exc:
        say(f"error: {exc}")
        return 1
    say(summary.describe())
    return 0
