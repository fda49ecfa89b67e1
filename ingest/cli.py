"""`python -m ingest <command> ...`: generate sample data, land it, build, summarize.

    domains                   list the registered domains (dbt_project.yml vars.domains)
    generate <domain> ...     write deterministic sample data (aca, pm, clinical, tes)
    day <domain>              add the next day's sample files (aca)
    simulate pm --days N      advance the operational project-management source
    map-fhir IN... --out F    map FHIR JSON to the clinical NDJSON pipeline output
    load <domain> [PATH...]   land raw data with dlt into raw_<domain>
    fetch tes --server URL    land the new and changed value sets of a TES FHIR server
    config tes ACTION ...     record a Refiner configuration change, update the cache
    build [dbt args...]       run `dbt build` (or any dbt command after `--`)
    summary                   rows per mart table, test results, rejects by reason

The commands that write the warehouse (load, fetch, config, run, build, check, demo,
nightly) hold it for the whole run (DuckDB or PostgreSQL): a second one waits, then exits 1
naming the holder and leaves its failure row (ingest.run_lock, ingest.audit_spool).

Exit codes: 0 success, 1 a failed run (or the warehouse held by another run), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ingest import config, domains
from ingest.log import say


class CommandImportError(config.ConfigError):
    """A command's module cannot be imported: a broken install, never a command to skip."""


def _module(name: str):
    """Import a command's module; one that cannot be imported fails the CLI (exit 2) with one
    line naming the module and the error, whichever command was asked for."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise CommandImportError(f"the CLI cannot import {name}: {exc}") from exc


def _help(module) -> str:
    return (module.__doc__ or "").strip().splitlines()[0]


def _add_generate(sub) -> None:
    gen = sub.add_parser("generate", help="write deterministic sample data for a domain")
    gsub = gen.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    for domain in domains.all_domains():
        mod = domain.generator_module()
        if mod is None:
            continue
        p = gsub.add_parser(domain.name, help=_help(mod))
        mod.add_arguments(p)
        p.set_defaults(func=mod.run)


def _add_day(sub) -> None:
    mod = _module("ingest.generators.aca")
    day = sub.add_parser("day", help="add the next day's sample files")
    dsub = day.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = dsub.add_parser("aca", help="next day of ACA files")
    mod.add_day_arguments(p)
    p.set_defaults(func=mod.run_day)


def _add_simulate(sub) -> None:
    mod = _module("ingest.generators.pm")
    sim = sub.add_parser("simulate", help="advance an operational source by simulated days")
    ssub = sim.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = ssub.add_parser("pm", help="advance the project-management database")
    mod.add_simulate_arguments(p)
    p.set_defaults(func=mod.run_simulate)


def _add_map_fhir(sub) -> None:
    mod = _module("ingest.clinical.mapper")
    p = sub.add_parser("map-fhir", help="map FHIR R4 JSON to the clinical NDJSON pipeline output")
    mod.add_map_arguments(p)
    p.set_defaults(func=mod.run_map)


def _add_load(sub) -> None:
    load = sub.add_parser("load", help="land raw data with dlt into raw_<domain>")
    lsub = load.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    for domain in domains.all_domains():
        mod = domain.loader_module()
        p = lsub.add_parser(domain.name, help=_help(mod))
        mod.add_arguments(p)
        p.set_defaults(func=mod.run, writes_warehouse=True)


def _add_fetch(sub) -> None:
    mod = _module("ingest.loaders.tes")
    fetch = sub.add_parser("fetch", help="land what changed on a remote server (tes)")
    fsub = fetch.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = fsub.add_parser("tes", help="condition and reporting-spec groupers from a TES FHIR server")
    mod.add_fetch_arguments(p)
    p.set_defaults(func=mod.run_fetch, writes_warehouse=True)


def _add_config(sub) -> None:
    mod = _module("ingest.tes_config")
    conf = sub.add_parser("config", help="record a configuration change and update what it feeds")
    csub = conf.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = csub.add_parser("tes", help="activate/deactivate a condition, add/remove a custom code; "
                                    "then rebuild the refinement cache")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run, writes_warehouse=True)


def _add_domains(sub) -> None:
    p = sub.add_parser("domains", help="list the registered domains (dbt_project.yml vars.domains)")
    domains.add_arguments(p)
    p.set_defaults(func=domains.run)


def _add_run(sub) -> None:
    mod = _module("ingest.generic.run")
    p = sub.add_parser("run", help="land a table of a configured source (sql, rest, files)")
    mod.add_run_arguments(p)
    p.set_defaults(func=mod.run_run, writes_warehouse=True)


def _add_test_connection(sub) -> None:
    mod = _module("ingest.generic.connection")
    p = sub.add_parser("test-connection", help="check the sources of a config, or the warehouse")
    mod.add_test_connection_arguments(p)
    p.set_defaults(func=mod.run_test_connection)


def _add_build(sub) -> None:
    p = sub.add_parser("build", help="run dbt (default: build) against WAREHOUSE_TARGET")
    p.add_argument("dbt_args", nargs=argparse.REMAINDER, help="arguments for dbt")
    p.set_defaults(func=lambda a: _module("ingest.dbt_runner").run_cli(a.dbt_args),
                   writes_warehouse=True)


def _add_check(sub) -> None:
    mod = _module("ingest.tes_check")
    check = sub.add_parser("check", help="operator checks of a built domain")
    csub = check.add_subparsers(dest="domain", required=True, metavar="DOMAIN")
    p = csub.add_parser("tes", help="eCR Refiner sanity checks and row counts")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run, writes_warehouse=True)


def _add_demo(sub) -> None:
    mod = _module("ingest.demo")
    p = sub.add_parser("demo", help="generate, land and build every domain, then summarize")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run, writes_warehouse=True)


def _add_nightly(sub) -> None:
    mod = _module("ingest.nightly")
    p = sub.add_parser("nightly", help="land what is new, then build testing new loads' rows")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run, writes_warehouse=True)


def _add_setup_roles(sub) -> None:
    mod = _module("ingest.roles")
    p = sub.add_parser("setup-roles", help="create the PostgreSQL roles (idempotent)")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run)


def _add_summary(sub) -> None:
    p = sub.add_parser("summary", help="rows per mart table, tests, rejects by reason")
    p.set_defaults(func=lambda a: _module("ingest.summary").run(a))


def _add_bench(sub) -> None:
    mod = _module("tools.bench")
    p = sub.add_parser("bench", help="benchmark generation, landing and dbt at a scale")
    mod.add_arguments(p)
    p.set_defaults(func=mod.run)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_generate(sub)
    _add_day(sub)
    _add_simulate(sub)
    _add_map_fhir(sub)
    _add_load(sub)
    _add_fetch(sub)
    _add_config(sub)
    _add_domains(sub)
    _add_run(sub)
    _add_test_connection(sub)
    _add_build(sub)
    _add_nightly(sub)
    _add_setup_roles(sub)
    _add_demo(sub)
    _add_check(sub)
    _add_summary(sub)
    _add_bench(sub)
    return ap


def _explain(exc: Exception, args: argparse.Namespace) -> str:
    """A full disk or a lost PostgreSQL server named as such (ingest.failures); any other
    error as its innermost cause."""
    from ingest import failures
    from ingest.runner import describe_error

    try:
        target = config.target(getattr(args, "target", None))
    except config.ConfigError:
        target = None
    return failures.explain(exc, target) or describe_error(exc)


def main(argv: list[str] | None = None) -> int:
    if config.DOTENV_ERROR is not None:
        say(f"error: {config.DOTENV_ERROR}")
        return 2
    try:
        ap = parser()
    except config.ConfigError as exc:  # a registry entry or command module that is broken
        say(f"error: {exc}")
        return 2
    args = ap.parse_args(argv)
    from ingest import audit_spool, log, run_lock

    command = " ".join(["python -m ingest", *(sys.argv[1:] if argv is None else argv)])
    try:
        log.start_command(command)  # checks WAREHOUSE_LOG_LEVEL and WAREHOUSE_LOG_FORMAT
        if not getattr(args, "writes_warehouse", False):
            return int(args.func(args) or 0)
        # one writing run at a time per warehouse (ingest.run_lock); audit rows that could
        # not be written before are written first (ingest.audit_spool)
        target = config.target(getattr(args, "target", None))
        try:
            with run_lock.hold(target, command, landing=_landing(args)):
                if not target.is_spark:
                    audit_spool.replay(target, say)
                return int(args.func(args) or 0)
        except run_lock.NotHeld as exc:
            say(f"error: {exc}")
            _record_not_started(args, target, str(exc))
            return 1
    except config.ConfigError as exc:
        say(f"error: {exc}")
        return 2
    except FileNotFoundError as exc:
        say(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception as exc:  # a failed run: one readable line, not a stack trace
        say(f"error: {_explain(exc, args)}")
        if os.environ.get("WAREHOUSE_DEBUG"):
            raise
        return 1



def _record_not_started(args: argparse.Namespace, target: config.Target, why: str) -> None:
    """The failure rows of a writing command that never got the warehouse: one ingest run per
    domain or table it would have landed, one dbt invocation if it would have built. Spooled
    on DuckDB (the file is another run's until it ends), written directly on PostgreSQL."""
    from ingest import audit_spool, runner

    if target.is_spark:
        return
    name = args.command
    records = []
    if name in ("load", "fetch"):
        landed = [args.domain]
    elif name in ("nightly", "demo"):
        landed = getattr(args, "domains", None) or domains.names()
    else:
        landed = []
    for domain in landed:
        records.append(runner.new_run(f"warehouse_{domain}", domain, "unknown",
                                      f"raw_{domain}", f"{name} {domain}"))
    if name == "run":
        records.append(runner.new_run(
            str(args.pipeline or f"ingest_{args.source}"), str(args.source), "unknown",
            f"raw_{args.source}.{args.table}", f"run --source {args.source} --table {args.table}",
        ))
    if name in ("build", "nightly", "demo", "check"):
        dbt_command = {"build": " ".join(["dbt", *(getattr(args, "dbt_args", None) or ["build"])]),
                       "check": f"check {getattr(args, 'domain', '')}".strip()}.get(
                           name, f"dbt build ({name})")
        records.append(runner.new_run(name, "warehouse", "unknown", "warehouse", dbt_command))
        records[-1].kind = "dbt"
    for record in records:
        record.finish("failure", f"not started: {why}")
        try:
            if target.is_duckdb:
                path = audit_spool.spool(record, target)
                say(f"audit: failure row of {record.command!r} kept in {path}, written by the "
                    "next run that holds the warehouse")
            else:
                audit_spool.write_or_spool(record, target, say)
        except Exception as exc:  # the refusal is the message; the lost row is a warning
            say(f"warning: audit row not written: {runner.describe_error(exc)}")


def _landing(args: argparse.Namespace) -> str | None:
    """The domain or source a command only lands (run_lock.hold: shared on PostgreSQL)."""
    if args.command in ("load", "fetch"):
        return args.domain
    if args.command == "run":
        return args.source  # lands raw_<source>, as a domain's load lands raw_<domain>
    return None
