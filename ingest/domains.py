"""The domain registry: one entry per source domain, in `dbt_project.yml` under `vars.domains`.

dbt reads the same entries with `var('domains')` (the rejects and landed-files unions, the
accepted domains of `ctl.rejects`, the analyst grants, the mart schema of a new domain's
folder), and everything in Python that lists domains reads them here: the CLI's `generate`
and `load` commands, `demo`, `nightly`, `summary`, the cross-engine parity check, the
Makefile (`python -m ingest domains`). Adding a domain is its own folders plus one entry;
docs/adding-a-domain.md is the checklist.

An entry:

    - name: aca                       # the domain; tag, folders and raw_<name> follow from it
      description: ACA health insurance ...
      mart_schema: aca                # where its marts build (raw schema: raw_<name>)
      marts_folder: aca               # models/marts/<folder> (default: the name)
      loader: ingest.loaders.aca      # `load <name>`: add_arguments, run, load_sample(target)
      generator: ingest.generators.aca  # `generate <name>` and the demo's sample(scale, days,
                                        # seed); optional
      select: "tag:aca"               # dbt selection of its models, snapshots, seeds, tests
      landed_files: true              # has stg_<name>__landed_files (file sources)
      optional: true                  # its models build (empty) before anything landed, so
                                      # `nightly` does not require a first load (synthea)
"""

from __future__ import annotations

import argparse
import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import yaml

from ingest import config

REQUIRED = ("name", "description", "mart_schema", "loader", "select")
KNOWN = (*REQUIRED, "marts_folder", "generator", "landed_files", "optional")


@dataclass(frozen=True)
class Domain:
    name: str
    description: str
    mart_schema: str
    loader: str
    select: str
    marts_folder: str
    generator: str | None = None
    landed_files: bool = False
    optional: bool = False

    @property
    def raw_schema(self) -> str:
        return f"raw_{self.name}"

    def loader_module(self) -> ModuleType:
        return _import(self.loader, f"domain {self.name!r}: loader")

    def generator_module(self) -> ModuleType | None:
        if self.generator is None:
            return None
        return _import(self.generator, f"domain {self.name!r}: generator")


class RegistryError(config.ConfigError):
    """The registry in dbt_project.yml is missing an entry's field or names a bad module."""


def _import(module: str, what: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # fail loudly: a registered domain must be importable
        raise RegistryError(f"{what} {module!r} cannot be imported: {exc}") from exc


def _parse(entries: object) -> tuple[Domain, ...]:
    if not isinstance(entries, list) or not entries:
        raise RegistryError("dbt_project.yml: vars.domains must be a non-empty list of domains")
    domains: list[Domain] = []
    for index, entry in enumerate(entries):
        where = f"dbt_project.yml: vars.domains[{index}]"
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: expected a mapping, got {entry!r}")
        missing = [key for key in REQUIRED if not entry.get(key)]
        unknown = sorted(set(entry) - set(KNOWN))
        if missing or unknown:
            raise RegistryError(
                f"{where}: "
                + "; ".join(
                    ([f"missing {', '.join(missing)}"] if missing else [])
                    + ([f"unknown {', '.join(unknown)} (known: {', '.join(KNOWN)})"]
                       if unknown else [])
                )
            )
        name = config.safe_identifier(str(entry["name"]), f"{where}.name")
        config.safe_identifier(str(entry["mart_schema"]), f"{where}.mart_schema")
        domains.append(Domain(
            name=name,
            description=str(entry["description"]).strip(),
            mart_schema=str(entry["mart_schema"]),
            loader=str(entry["loader"]),
            select=str(entry["select"]),
            marts_folder=str(entry.get("marts_folder") or name),
            generator=entry.get("generator") or None,
            landed_files=bool(entry.get("landed_files", False)),
            optional=bool(entry.get("optional", False)),
        ))
    names = [d.name for d in domains]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise RegistryError(f"dbt_project.yml: vars.domains names {', '.join(repeated)} twice")
    return tuple(domains)


@cache
def _registry(project_file: str) -> tuple[Domain, ...]:
    with open(project_file, encoding="utf-8") as handle:
        project = yaml.safe_load(handle) or {}
    return _parse((project.get("vars") or {}).get("domains"))


def all_domains() -> tuple[Domain, ...]:
    """Every registered domain, in the registry's order."""
    return _registry(str(config.PROJECT_ROOT / "dbt_project.yml"))


def names() -> list[str]:
    return [d.name for d in all_domains()]


def get(name: str) -> Domain:
    for domain in all_domains():
        if domain.name == name:
            return domain
    raise RegistryError(f"unknown domain {name!r}; registered: {', '.join(names())}")


def mart_schemas() -> list[str]:
    """Each mart schema once (synthea builds into the aca star: both name `aca`)."""
    return list(dict.fromkeys(d.mart_schema for d in all_domains()))


def select_args(selected: list[str] | None) -> list[str]:
    """dbt arguments building these domains (each one's selection, the shared calendar, the
    control tables; tests only where every model they read is selected); none for all."""
    if not selected or set(selected) >= set(names()):
        return []
    selections = [part for name in selected for part in get(name).select.split()]
    return ["--select", *selections, "dim_date", "path:models/ctl", "path:models/staging/ctl",
            "--indirect-selection", "cautious"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--names", action="store_true", help="names only, one a line (for scripts)")
    p.add_argument("--pipelines-dir", action="store_true",
                   help="print dlt's pipelines folder of the current warehouse (for "
                        "`dlt pipeline --pipelines-dir DIR warehouse_<domain> info|trace|show`)")


def run(args: argparse.Namespace) -> int:
    if args.pipelines_dir:
        from ingest import runner

        print(runner.pipelines_dir(config.target()))
        return 0
    for domain in all_domains():
        if args.names:
            print(domain.name)
            continue
        print(f"{domain.name:<10} {domain.raw_schema:<14} -> {domain.mart_schema:<10} "
              f"{domain.description}")
    return 0
