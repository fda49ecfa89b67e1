"""Synthetic FHIR service-request bundles and their NDJSON pipeline output (clinical).

    python -m ingest generate clinical [--out DIR] [--scale N] [--seed S] [--force]

Default folder: <WAREHOUSE_DATA_DIR>/sample/clinical. Scale 1 is about 2,000 service
requests. See ingest/clinical/generate.py for what is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ingest import config
from ingest.clinical.generate import OUTPUT_FILE, generate_clinical
from ingest.clinical.terminology import ReferenceDataError
from ingest.log import say


def default_out() -> Path:
    return config.data_dir() / "sample" / "clinical"


def sample(scale: float, days: int, seed: int) -> None:
    """The demo's sample (domain registry): at least scale 0.02 in the default folder,
    reused when already there; `days` does not apply to one pipeline output."""
    generate_clinical(default_out(), scale=max(scale, 0.02), seed=seed)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: <WAREHOUSE_DATA_DIR>/sample/clinical)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1 is about 2,000 service requests; fractions work (default 1)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--force", action="store_true",
                        help="rewrite even if the folder holds output for the same parameters")


def run(args: argparse.Namespace) -> int:
    out = args.out or default_out()
    try:
        manifest = generate_clinical(out, scale=args.scale, seed=args.seed, force=args.force)
    except (ValueError, ReferenceDataError) as exc:
        say(f"error: {exc}")
        return 2
    verb = "reused" if manifest["reused"] else "wrote"
    counts = manifest["counts"]
    say(f"clinical: {verb} {counts['bundles']} bundle(s) in {out / 'bundles'}: "
        f"{counts.get('ServiceRequest', 0)} service requests, {counts.get('Patient', 0)} "
        f"patients, {counts.get('Encounter', 0)} encounters; pipeline output "
        f"{out / OUTPUT_FILE} (mapping states: "
        + ", ".join(f"{k}={v}" for k, v in manifest["mapping_states"].items()) + ")")
    return 0
