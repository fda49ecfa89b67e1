"""`python -m ingest check tes`: the eCR Refiner database's sanity checks, for operators.

Runs the dbt tests tagged `ecr_sanity` (no orphaned references, no duplicate condition
groupers, no duplicate reporting-spec groupers, refinement cache populated) against the
selected warehouse, prints each as PASSED or FAILED, then the row count of every table in
schema `ecr`, the references that do not resolve (by reason) and the rejected TES rows (by
reason). Exit code 0 when every check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os

from ingest import config, warehouse

SANITY_TAG = "ecr_sanity"
CHECK_TITLES = {
    "assert_no_orphaned_references": "No Orphaned References",
    "no_duplicate_condition_groupers": "No Duplicate Condition Groupers",
    "no_duplicate_reporting_spec_groupers": "No Duplicate Reporting Spec Groupers",
    "refinement_cache_populated": "Refinement Cache Populated",
}
TABLES = (
    "tes_condition_groupers", "tes_reporting_spec_groupers", "tes_reporting_spec_grouper_codes",
    "tes_condition_grouper_references", "tes_unresolved_references",
    "tes_condition_grouper_codes", "jurisdictions", "configurations", "configuration_codes",
    "refinement_cache", "refinement_cache_codes",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")


def run_checks() -> list[tuple[str, bool, str]]:
    """Run the sanity tests; [(title, passed, message)] in a fixed order."""
    from ingest import dbt_runner

    result = dbt_runner.invoke(["test", "--select", f"tag:{SANITY_TAG}"])
    if result.exception is not None:
        return [("dbt test", False, str(result.exception))]
    found: dict[str, tuple[bool, str]] = {}
    for r in result.result or []:
        name = r.node.name
        passed = str(r.status) == "pass"
        message = "" if passed else (r.message or str(r.status))
        found[name] = (passed, message)
    out = []
    for name, title in CHECK_TITLES.items():
        passed, message = found.get(name, (False, "test did not run (is the model built?)"))
        out.append((title, passed, message))
    return out


def row_counts(con) -> list[tuple[str, int | None]]:
    present = {name for name, _ in warehouse.relations(con, "ecr")}
    counts = []
    for table in TABLES:
        if table in present:
            (n,) = warehouse.fetchall(con, f"select count(*) from ecr.{table}")[0]
            counts.append((table, n))
        else:
            counts.append((table, None))
    return counts


def _grouped(con, schema: str, relation: str, sql: str) -> list[tuple]:
    if not any(name == relation for name, _ in warehouse.relations(con, schema)):
        return []
    return warehouse.fetchall(con, sql)


def print_report(checks: list[tuple[str, bool, str]], counts, unresolved, rejects) -> None:
    print("\nRunning eCR Refiner database sanity checks")
    for title, passed, message in checks:
        print(f"  {title:<40} {'PASSED' if passed else 'FAILED'}")
        if not passed and message:
            print(f"      reason: {message}")
    all_passed = all(p for _, p, _ in checks)
    print("\n  All sanity checks passed." if all_passed else "\n  One or more checks failed.")
    width = max(len(t) for t, _ in counts) + 2
    print(f"\n  {'table (schema ecr)':<{width}} {'rows':>12}")
    print(f"  {'-' * width} {'-' * 12}")
    for table, n in counts:
        print(f"  {table:<{width}} {('not built' if n is None else f'{n:,}'):>12}")
    if unresolved:
        print("\n  references that do not resolve (see ecr.tes_unresolved_references)")
        for reason, n in unresolved:
            print(f"    {reason:<70} {n:>8,}")
    if rejects:
        print("\n  rejected TES rows (see staging.stg_tes__rejects / ctl.rejects)")
        for table, reason, n in rejects:
            print(f"    {table + ': ' + reason:<70} {n:>8,}")
    print()


def run(args: argparse.Namespace) -> int:
    if getattr(args, "target", None):
        os.environ["WAREHOUSE_TARGET"] = args.target
    target = config.target()
    checks = run_checks()
    # read-write: dbt (in this process) keeps its DuckDB connection open, and DuckDB allows a
    # second connection to the same file only with the same configuration
    with warehouse.connect(target) as con:
        counts = row_counts(con)
        unresolved = _grouped(
            con, "ecr", "tes_unresolved_references",
            "select reason, count(*) from ecr.tes_unresolved_references group by reason "
            "order by 2 desc, 1",
        )
        rejects = _grouped(
            con, "staging", "stg_tes__rejects",
            "select source_table, reject_reason, count(*) from staging.stg_tes__rejects "
            "group by source_table, reject_reason order by 1, 3 desc",
        )
    print(f"Warehouse: {target.describe()}")
    print_report(checks, counts, unresolved, rejects)
    return 0 if all(p for _, p, _ in checks) else 1
