"""`python -m ingest demo`: the whole warehouse from sample data, every domain.

Generate (reused when already there), land what is new, `dbt build`, print the summary,
for every domain of the registry (ingest/domains.py).
The same two steps (`prepare`, `land`) serve the cross-engine test and the benchmark.
"""

from __future__ import annotations

import argparse
import os

from ingest import config, dbt_runner, domains, summary
from ingest.log import say


def prepare(scale: float = 0.2, days: int = 60, seed: int = 42) -> None:
    """Write every registered domain's sample data under WAREHOUSE_DATA_DIR (reused when
    present): each domain's generator decides what `scale` and `days` mean for it."""
    for domain in domains.all_domains():
        generator = domain.generator_module()
        if generator is not None:
            generator.sample(scale, days, seed)


def land(target: config.Target | None = None, only: list[str] | None = None) -> list:
    """Land what is new in every registered domain's sample (or those in `only`) into the
    target; returns the summaries."""
    target = target or config.target()
    results = []
    for domain in domains.all_domains():
        if only is not None and domain.name not in only:
            continue
        results.append(domain.loader_module().load_sample(target))
        describe = getattr(results[-1], "describe", None)
        say(describe() if describe else results[-1])
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
        say("dbt build reported failures: see above and `target/run_results.json`")
        return 1
    return 0
