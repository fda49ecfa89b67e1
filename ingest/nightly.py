"""`python -m ingest nightly`: land what is new in every domain, then build, testing the big
tables on the new loads' rows only.

The newest completed load is read before landing; `dbt build` then runs with
`WAREHOUSE_TESTS_AFTER_LOAD=<that load id>` (macros/tests_on_new_loads.sql), so the
row-level tests of models whose meta names a `new_rows_column` (the claim-line models) read
only the rows of loads landed by this run. Every other test, and every test of the whole
table (row counts, reconciliations), reads everything. `--all-tests` (or a plain
`make build`) tests every row, as a weekly run should.
"""

from __future__ import annotations

import argparse
import os

from ingest import config, dbt_runner, demo, domains, failures, sink, warehouse
from ingest.log import say

# read by macros/tests_on_new_loads.sql at run time (a dbt var would force a full re-parse)
AFTER_LOAD_ENV = "WAREHOUSE_TESTS_AFTER_LOAD"


def newest_completed_load(target: config.Target) -> str | None:
    """The newest load id in any `raw_<domain>._dlt_loads` of the warehouse, or None."""
    newest: list[str] = []
    with warehouse.connect(target) as con:
        for domain in domains.all_domains():
            schema = domain.raw_schema
            if ("_dlt_loads", "table") not in warehouse.relations(con, schema):
                continue
            rows = warehouse.fetchall(
                con, f"select max(load_id) from {schema}._dlt_loads where status = 0"
            )
            if rows and rows[0][0] is not None:
                newest.append(str(rows[0][0]))
    return max(newest) if newest else None


def domains_never_landed(target: config.Target,
                         selected: list[str] | None) -> list[domains.Domain]:
    """The selected domains whose raw schema has no completed load: their staging could only
    fail on missing tables (an `optional` domain's staging builds empty instead)."""
    missing = []
    with warehouse.connect(target) as con:
        for domain in domains.all_domains():
            if (selected and domain.name not in selected) or domain.optional:
                continue
            if ("_dlt_loads", "table") not in warehouse.relations(con, domain.raw_schema):
                missing.append(domain)
    return missing


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")
    p.add_argument("--all-tests", action="store_true",
                   help="test every row of every model (as `make build` does)")
    names = domains.names()
    p.add_argument("--domains", nargs="+", choices=names, metavar="DOMAIN",
                   help=f"land and build only these ({', '.join(names)}; default: every one)")


def run(args: argparse.Namespace) -> int:
    target = config.target(args.target)
    if not sink.for_target(target).loads_with_dlt:
        raise config.ConfigError(
            "nightly lands through dlt, which has no Spark destination: land on DuckDB or "
            "PostgreSQL, or run `make test-spark` (docs/spark.md)"
        )
    os.environ["WAREHOUSE_TARGET"] = target.name
    after = None if args.all_tests else newest_completed_load(target)
    demo.land(target, args.domains)
    never_landed = domains_never_landed(target, args.domains)
    if never_landed:
        say("error: nothing has ever landed for " + ", ".join(
            f"{d.name} (raw schema {d.raw_schema})" for d in never_landed)
            + ": its loader found no input. Put its files where its loader reads them (see "
            "`python -m ingest load <domain> --help`) or leave it out with --domains")
        return 1
    os.environ.pop(AFTER_LOAD_ENV, None)
    if after is not None:
        say(f"nightly: tests of the claim-line models read loads after {after}")
        os.environ[AFTER_LOAD_ENV] = after
    try:
        result = dbt_runner.invoke(["build", *domains.select_args(args.domains)],
                                   target=target.name)
    finally:
        os.environ.pop(AFTER_LOAD_ENV, None)
    if not result.success:
        explained = failures.explain_dbt(result, target)
        say(f"error: {explained}" if explained else
            "dbt build reported failures: see above and `target/run_results.json`")
        return 1
    return 0
