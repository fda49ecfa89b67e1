"""`python -m ingest demo`: the whole warehouse from sample data, every domain.

Generate (reused when already there), land what is new, `dbt build`, print the summary.
The same two steps (`prepare`, `land`) serve the cross-engine test and the benchmark.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from datetime import date

from ingest import config, dbt_runner, summary

DOMAINS = ("aca", "pm", "clinical", "tes")


def _available(domain: str) -> bool:
    try:
        importlib.import_module(f"ingest.loaders.{domain}")
        return True
    except ModuleNotFoundError:
        return False


def domains() -> list[str]:
    return [d for d in DOMAINS if _available(d)]


def prepare(scale: float = 0.2, days: int = 60, seed: int = 42) -> None:
    """Write every domain's sample data under WAREHOUSE_DATA_DIR (reused when present)."""
    from ingest.generators import aca

    aca.generate(aca.default_out_dir(), scale, date(2025, 1, 1), days, seed)
    if _available("pm"):
        from ingest.generators import pm

        pm.generate(pm.default_url(), scale=max(scale, 0.02), days=min(days, 30), seed=seed)
    if _available("clinical"):
        from ingest.clinical.generate import generate_clinical
        from ingest.generators import clinical

        generate_clinical(clinical.default_out(), scale=max(scale, 0.02), seed=seed)
    if _available("tes"):
        from ingest.generators import tes

        tes.generate(tes.default_out(), scale=max(scale, 0.05), seed=seed)


def land(target: config.Target | None = None, only: list[str] | None = None) -> list:
    """Land what is new in every domain's sample (or those in `only`) into the target;
    returns the summaries."""
    target = target or config.target()
    results = []
    for domain in domains():
        if only is not None and domain not in only:
            continue
        loader = importlib.import_module(f"ingest.loaders.{domain}")
        if domain == "pm":
            results.append(loader.load(None, target))
        else:
            source = importlib.import_module(f"ingest.sources.{domain}")
            results.append(loader.load([source.default_dir()], target))
        describe = getattr(results[-1], "describe", None)
        print(describe() if describe else results[-1], file=sys.stderr)
    return results


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", type=float, default=0.2, help="sample size (1 = ~500k claim lines)")
    p.add_argument("--days", type=int, default=60, help="days of ACA claims files")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def run(args: argparse.Namespace) -> int:
    target = config.target(args.target)
    os.environ["WAREHOUSE_TARGET"] = target.name
    prepare(args.scale, args.days, args.seed)
    land(target)
    result = dbt_runner.invoke(["build"], target=target.name)
    summary.run(None)
    if not result.success:
        print("dbt build reported failures: see above and `target/run_results.json`",
              file=sys.stderr)
        return 1
    return 0
