"""Record an eCR Refiner configuration change and bring the refinement cache up to date.

    python -m ingest config tes activate    --jurisdiction J --condition SNOMED [--configuration ID]
    python -m ingest config tes deactivate  --jurisdiction J --condition SNOMED
    python -m ingest config tes add-code    --configuration ID [--version N] --code C
                                            [--system S] [--display TEXT]
    python -m ingest config tes remove-code --configuration ID [--version N] --code C [--system S]

Every change is checked against the built warehouse first (the jurisdiction, the condition,
the configuration, the code and whether the change changes anything); a change that does not
hold prints one line and exits 2 with nothing recorded. A valid change is written as a
`config_changes_*.json` file under `<WAREHOUSE_DATA_DIR>/tes/changes/` with who (`--by`,
default the operating-system user) and when (UTC), landed into `raw_tes.config_changes` by the
domain's ordinary landing path (an append-only log: history is never rewritten), and then only
the models between that log and the cache are rebuilt and tested (CACHE_SELECTION). The
command prints how many cache rows changed and the seconds from its start to the updated
cache rows.
"""

from __future__ import annotations

import argparse
import getpass
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest import config, domains, runner
from ingest import warehouse as wh
from ingest.log import say
from ingest.sources import tes

# The models between the change log and the cache, the change history, and their tests
# ("buildable": the tests whose every input is selected or upstream of the selection).
CACHE_SELECTION = (
    "base_tes__config_changes+,+refinement_cache",
    "base_tes__config_changes+,+refinement_cache_codes",
    "configuration_changes",
)
CACHE_MODELS = ("refinement_cache", "refinement_cache_codes")

SYSTEMS = {
    "loinc": "http://loinc.org",
    "snomed": "http://snomed.info/sct",
    "icd10": "http://hl7.org/fhir/sid/icd-10-cm",
    "rxnorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "custom": "custom",
}
# The shape of a code per system (by URI); any other system: letters, digits, `.`, `-`, `_`.
CODE_SHAPES = {
    "http://loinc.org": (re.compile(r"^\d{1,7}-\d$"), "a LOINC code like 94500-6"),
    "http://snomed.info/sct": (re.compile(r"^\d{6,18}$"), "a SNOMED CT id of 6 to 18 digits"),
    "http://hl7.org/fhir/sid/icd-10-cm": (
        re.compile(r"^[A-Z]\d[0-9A-Z](\.[0-9A-Z]{1,4})?$"), "an ICD-10-CM code like U07.1"),
    "http://www.nlm.nih.gov/research/umls/rxnorm": (
        re.compile(r"^\d{1,9}$"), "an RxNorm id of up to 9 digits"),
}
ANY_CODE = (re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"),
            "letters, digits, '.', '-' or '_', at most 64")
SNOMED = re.compile(r"^\d{6,18}$")


class InvalidChange(ValueError):
    """The change names something the warehouse does not hold, or changes nothing."""


@dataclass
class Cache:
    rows: dict[tuple[str, str], str]

    def compare(self, after: Cache) -> tuple[int, int, int]:
        added = len(after.rows.keys() - self.rows.keys())
        removed = len(self.rows.keys() - after.rows.keys())
        rewritten = sum(1 for k in self.rows.keys() & after.rows.keys()
                        if self.rows[k] != after.rows[k])
        return added, removed, rewritten


def add_arguments(p: argparse.ArgumentParser) -> None:
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    def common(a: argparse.ArgumentParser) -> None:
        a.add_argument("--by", default=None,
                       help="who makes the change (default: the operating-system user)")
        a.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET")

    act = actions.add_parser("activate", help="switch a condition on for a jurisdiction")
    act.add_argument("--jurisdiction", required=True, help="routing code, e.g. TX")
    act.add_argument("--condition", required=True, help="SNOMED code of the condition")
    act.add_argument("--configuration", help="the configuration id to activate (default: the "
                     "jurisdiction's most recently landed configuration covering the condition)")
    common(act)
    deact = actions.add_parser("deactivate", help="switch a condition off for a jurisdiction")
    deact.add_argument("--jurisdiction", required=True, help="routing code, e.g. TX")
    deact.add_argument("--condition", required=True, help="SNOMED code of the condition")
    common(deact)
    for name, verb in (("add-code", "add a custom code to"),
                       ("remove-code", "remove a code from")):
        c = actions.add_parser(name, help=f"{verb} a configuration")
        c.add_argument("--configuration", required=True, help="configuration id")
        c.add_argument("--version", type=int, help="configuration version (default: the latest)")
        c.add_argument("--code", required=True, help="the code")
        c.add_argument("--system", help="loinc, snomed, icd10, rxnorm, custom or a system URI "
                       "(add: default custom; remove: default the code's only system)")
        if name == "add-code":
            c.add_argument("--display", help="display text of the code")
        common(c)


# --- reading the built warehouse ---------------------------------------------------------------

def _rows(target: config.Target, sql: str, params: tuple = ()) -> list[tuple]:
    if not target.is_duckdb:
        sql = sql.replace("?", "%s")
    with wh.connect(target, read_only=target.is_duckdb) as con:
        return wh.fetchall(con, sql, params)


def _schema() -> str:
    return domains.get(tes.DOMAIN).mart_schema


def _require_built(target: config.Target) -> None:
    needed = {(_schema(), "refinement_cache"), (_schema(), "configuration_codes"),
              ("staging", "stg_tes__configurations")}
    if target.is_duckdb and not target.duckdb_path.exists():
        raise config.ConfigError(f"no warehouse at {target.duckdb_path}: load and build the tes "
                                 "domain first (python -m ingest load tes; make build)")
    found = set(_rows(target, "select table_schema, table_name from information_schema.tables "
                              "where table_name in ('refinement_cache', 'configuration_codes', "
                              "'stg_tes__configurations')"))
    if not needed <= found:
        raise config.ConfigError("the tes domain is not built in this warehouse: load and build "
                                 "it first (python -m ingest load tes; make build)")


def cache_state(target: config.Target) -> Cache:
    rows = _rows(target, "select snomed_code, jurisdiction_id, cache_inputs_hash "
                         f"from {_schema()}.refinement_cache")
    return Cache({(s, j): h for s, j, h in rows})


def _jurisdiction(target: config.Target, value: str) -> str:
    jurisdiction = value.strip().upper()
    if not _rows(target, f"select 1 from {_schema()}.jurisdictions where jurisdiction_id = ?",
                 (jurisdiction,)):
        raise InvalidChange(f"unknown jurisdiction {value!r}: not in {_schema()}.jurisdictions")
    return jurisdiction


def _condition(target: config.Target, value: str) -> str:
    snomed = value.strip()
    if not SNOMED.match(snomed):
        raise InvalidChange(f"condition {value!r} is not a SNOMED CT code (6 to 18 digits)")
    if not _rows(target, f"select 1 from {_schema()}.tes_reporting_spec_groupers "
                         "where snomed_code = ?", (snomed,)):
        raise InvalidChange(f"unknown condition {snomed}: no landed reporting-spec grouper is "
                            "for that SNOMED code")
    return snomed


def _configuration(target: config.Target, configuration: str, version: int | None) -> int:
    versions = [v for (v,) in _rows(
        target, "select configuration_version from staging.stg_tes__configurations "
                "where configuration_id = ? order by configuration_version desc",
        (configuration,))]
    if not versions:
        raise InvalidChange(f"unknown configuration {configuration!r}")
    if version is None:
        return versions[0]
    if version not in versions:
        raise InvalidChange(f"configuration {configuration!r} has no version {version} "
                            f"(landed: {', '.join(map(str, sorted(versions)))})")
    return version


def _system(value: str | None, default: str | None) -> str | None:
    if value is None:
        return default
    value = value.strip()
    if value.lower() in SYSTEMS:
        return SYSTEMS[value.lower()]
    if re.match(r"^(https?://\S+|urn:oid:[0-9.]+)$", value):
        return value
    raise InvalidChange(f"unknown code system {value!r}: expected {', '.join(SYSTEMS)}, "
                        "an http(s) URI or urn:oid:")


def _code(value: str, system: str | None) -> str:
    code = value.strip()
    shape, what = CODE_SHAPES.get(system or "", ANY_CODE)
    if not shape.match(code):
        raise InvalidChange(f"malformed code {value!r}: expected {what}")
    return code


# --- the changes --------------------------------------------------------------------------------

def activation_change(target: config.Target, args: argparse.Namespace) -> dict:
    jurisdiction = _jurisdiction(target, args.jurisdiction)
    snomed = _condition(target, args.condition)
    named = getattr(args, "configuration", None)
    chosen = " and configuration_id = ?" if named else ""
    params = (jurisdiction, snomed, *([named] if named else []))
    rows = _rows(
        target,
        "select configuration_id, configuration_version, is_active "
        f"from {_schema()}.configurations where jurisdiction_id = ? and snomed_code = ? "
        "and resolution_status = 'resolved'"
        f"{chosen} order by load_id desc, configuration_version desc, configuration_id desc",
        params,
    )
    active = [r for r in rows if r[2]]
    where = f"condition {snomed} in {jurisdiction}"
    if args.action == "deactivate":
        if not active:
            raise InvalidChange(f"{where} is not active")
        return {"change_type": "deactivate", "jurisdiction_id": jurisdiction, "snomed_code": snomed}
    if not rows:
        which = f" configuration {named!r}" if named else ""
        raise InvalidChange(f"{where}: no resolved{which} configuration of the jurisdiction "
                            "covers that condition (land one with `python -m ingest load tes`)")
    configuration_id, version, is_active = rows[0]
    if is_active:
        raise InvalidChange(f"{where} is already active (configuration {configuration_id} "
                            f"version {version})")
    return {"change_type": "activate", "jurisdiction_id": jurisdiction, "snomed_code": snomed,
            "configuration_id": configuration_id, "configuration_version": version}


def code_change(target: config.Target, args: argparse.Namespace) -> dict:
    adding = args.action == "add-code"
    version = _configuration(target, args.configuration, args.version)
    system = _system(args.system, SYSTEMS["custom"] if adding else None)
    code = _code(args.code, system)
    found = _rows(
        target,
        f"select system_uri from {_schema()}.configuration_codes where configuration_id = ? "
        "and configuration_version = ? and code = ?" + (" and system_uri = ?" if system else ""),
        (args.configuration, version, code, *([system] if system else [])),
    )
    what = f"code {code}" + (f" ({system})" if system else "")
    where = f"configuration {args.configuration} version {version}"
    if adding and found:
        raise InvalidChange(f"{what} is already in {where}")
    if not adding and not found:
        raise InvalidChange(f"{what} is not in {where}")
    if not adding and len(found) > 1:
        raise InvalidChange(f"code {code} is in {where} under {len(found)} systems "
                            f"({', '.join(sorted(s for (s,) in found))}): name one with --system")
    return {"change_type": "add_code" if adding else "remove_code",
            "configuration_id": args.configuration, "configuration_version": version,
            "system": system or found[0][0], "code": code,
            "display": getattr(args, "display", None)}


def changes_dir() -> Path:
    return config.data_dir() / tes.DOMAIN / "changes"


def record(change: dict, changed_by: str, target: config.Target) -> runner.LoadSummary:
    """Write the change as a change-log file and land it into raw_tes (append-only)."""
    changed_at = datetime.now(UTC)
    change = {"change_id": str(uuid.uuid4()), **change, "changed_by": changed_by,
              "changed_at": changed_at.isoformat(timespec="microseconds")}
    folder = changes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"config_changes_{changed_at:%Y%m%dT%H%M%S%fZ}_{change['change_id'][:8]}.json"
    path.write_text(json.dumps({"changes": [change]}, indent=1))
    try:
        return runner.land_files(tes.DOMAIN, [path], tes.read, target=target)
    except BaseException:
        path.unlink(missing_ok=True)  # not landed: not recorded
        raise


def rebuild_cache(target_name: str | None):
    """dbt build of the models between the change log and the cache, and their tests."""
    from ingest import dbt_runner

    return dbt_runner.invoke(
        ["build", "--select", *CACHE_SELECTION, "--indirect-selection", "buildable"],
        target=target_name,
    )


def _cache_written_at(result) -> datetime | None:
    """When dbt finished writing the last cache model (None when it did not)."""
    done = []
    for r in result.result or []:
        if r.node.name in CACHE_MODELS and str(r.status) == "success":
            done += [t.completed_at for t in r.timing if t.name == "execute" and t.completed_at]
    if not done:
        return None
    latest = max(done)
    return latest if latest.tzinfo else latest.replace(tzinfo=UTC)


def describe(change: dict) -> str:
    if change["change_type"] in ("activate", "deactivate"):
        extra = (f" (configuration {change['configuration_id']} version "
                 f"{change['configuration_version']})" if change.get("configuration_id") else "")
        return (f"{change['change_type']} condition {change['snomed_code']} in "
                f"{change['jurisdiction_id']}{extra}")
    verb = "add" if change["change_type"] == "add_code" else "remove"
    return (f"{verb} code {change['system']}|{change['code']} "
            f"{'to' if verb == 'add' else 'from'} configuration {change['configuration_id']} "
            f"version {change['configuration_version']}")


def run(args: argparse.Namespace) -> int:
    started_wall, started = datetime.now(UTC), time.perf_counter()
    target = config.target(args.target)
    if target.is_spark:
        raise config.ConfigError("config tes runs on DuckDB or PostgreSQL targets")
    _require_built(target)
    try:
        change = (activation_change(target, args) if args.action in ("activate", "deactivate")
                  else code_change(target, args))
        changed_by = (args.by if args.by is not None else getpass.getuser()).strip()
        if not changed_by or len(changed_by) > 200:
            raise InvalidChange("--by: expected a name of 1 to 200 characters")
    except InvalidChange as exc:
        say(f"error: {exc}; nothing recorded")
        return 2
    before = cache_state(target)
    summary = record(change, changed_by, target)
    say(f"tes: recorded {describe(change)} by {changed_by} "
        f"(load {summary.load_id}, {time.perf_counter() - started:.1f}s)")
    result = rebuild_cache(args.target)
    if not result.success:
        say("error: the change is recorded, but rebuilding the cache failed: "
            f"{result.exception or 'see the dbt output above'}; run `python -m ingest build "
            f"-- build --select {' '.join(CACHE_SELECTION)}` once fixed")
        return 1
    written = _cache_written_at(result)
    added, removed, rewritten = before.compare(cache_state(target))
    total = time.perf_counter() - started
    to_cache = (written - started_wall).total_seconds() if written else total
    say(f"tes: refinement_cache: {added + removed + rewritten} row(s) changed ({added} added, "
        f"{removed} removed, {rewritten} rewritten); cache updated {to_cache:.1f}s after the "
        f"command started (command done in {total:.1f}s, tests included)")
    return 0
