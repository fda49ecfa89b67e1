"""The asset graph: landing (orchestration/landing.py) -> every dbt seed, snapshot and model
(dagster-dbt, from the manifest; dbt tests are asset checks) -> the dashboards (the dbt
exposures). One job per domain, a nightly job, a daily schedule, a sensor on the ACA drop
folder.

One writer per DuckDB file: every run against a DuckDB target carries the tag
`warehouse/duckdb=<file>`, which the run queue limits to one run per value
(orchestration/dagster.yaml, the instance `make orchestrate` sets up), and runs its steps
one at a time; each writing step also takes the warehouse's lock file (ingest/run_lock.py),
so a CLI run (`make load`, `make build`) and a Dagster run never write it together.
PostgreSQL runs carry no such tag: the queue starts them side by side, and a run lands its
domains in parallel; the warehouse's advisory lock (ingest/run_lock.py) lets landings of
different domains share it and keeps every landing out of a dbt build.
"""

import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    build_dbt_asset_selection,
    dbt_assets,
)
from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY
from dagster_dbt.utils import select_unique_ids

from ingest import config, domains, run_lock
from ingest.sources import aca
from orchestration import landing
from orchestration import manifest as manifest_mod

DUCKDB_TAG = "warehouse/duckdb"
SHARED_GROUP = "warehouse"
DASHBOARDS_GROUP = "dashboards"
NIGHTLY_CRON = "0 2 * * *"
ACA_DOMAIN = aca.DOMAIN


class Translator(DagsterDbtTranslator):
    """Groups by domain (the node's domain tag), `warehouse` for what the domains share."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        names = domains.names()
        for tag in dbt_resource_props.get("tags") or []:
            if tag in names:
                return tag
        if dbt_resource_props.get("resource_type") == "source":
            return dbt_resource_props.get("source_name")
        return SHARED_GROUP


TRANSLATOR = Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def writer_tags(target: config.Target) -> dict[str, str]:
    """The run tags of a run writing this target (the DuckDB file for the one-writer rule)."""
    if target.is_duckdb:
        return {DUCKDB_TAG: str(target.duckdb_path)}
    return {}


def _dbt_env(target: config.Target) -> None:
    """What ingest/dbt_runner.py hands dbt: absolute DuckDB paths, so that dbt and the
    loaders open the same file wherever the run started. A job building part of the project
    runs the tests whose every model it builds (`--indirect-selection cautious`, as
    `domains.select_args` does), never a test of another domain's model."""
    os.environ["WAREHOUSE_TARGET"] = target.name
    os.environ.setdefault("DBT_INDIRECT_SELECTION", "cautious")
    if target.is_duckdb:
        var = "WAREHOUSE_DUCKDB_PATH" if target.name == "dev" else "WAREHOUSE_CI_DUCKDB_PATH"
        os.environ[var] = str(target.duckdb_path)


def dbt_resource(target: config.Target) -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(config.PROJECT_ROOT),
        profiles_dir=str(config.PROJECT_ROOT),
        target=target.name,
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


def warehouse_dbt_assets(manifest: Mapping, target: config.Target) -> dg.AssetsDefinition:
    @dbt_assets(manifest=manifest, dagster_dbt_translator=TRANSLATOR, name="dbt_warehouse",
                op_tags=writer_tags(target))
    def dbt_warehouse(context: AssetExecutionContext, dbt: DbtCliResource):
        _dbt_env(target)
        run_dir = manifest_mod.target_dir() / "runs" / context.run.run_id[:8]
        # the lock the CLI's writing commands take: one writer per DuckDB file
        with run_lock.hold(target, "dagster dbt build", say=context.log.info):
            yield from dbt.cli(["build"], context=context, target_path=run_dir).stream()

    return dbt_warehouse


def exposure_specs(manifest: Mapping) -> list[dg.AssetSpec]:
    """One asset per dbt exposure (the dashboards), downstream of the models it reads."""
    specs = []
    for exposure in manifest.get("exposures", {}).values():
        deps = [
            TRANSLATOR.get_asset_key(manifest["nodes"][uid])
            for uid in exposure.get("depends_on", {}).get("nodes", [])
            if uid in manifest["nodes"]
        ]
        metadata: dict[str, Any] = {"dbt/exposure": exposure["unique_id"]}
        if exposure.get("url"):
            metadata["url"] = dg.MetadataValue.url(exposure["url"])
        owner = (exposure.get("owner") or {}).get("email")
        specs.append(dg.AssetSpec(
            key=dg.AssetKey([DASHBOARDS_GROUP, exposure["name"]]),
            description=exposure.get("description") or exposure.get("label"),
            deps=deps,
            group_name=DASHBOARDS_GROUP,
            kinds={"streamlit", str(exposure.get("type") or "dashboard")},
            owners=[owner] if owner else None,
            metadata=metadata,
        ))
    return specs


def _dbt_select(domain: str) -> str:
    """The registry's dbt selection of a domain (ingest/domains.py `select_args`)."""
    args = domains.select_args([domain])
    if not args:  # a single registered domain: everything
        return "fqn:*"
    parts = args[args.index("--select") + 1:]
    end = next((i for i, part in enumerate(parts) if part.startswith("--")), len(parts))
    return " ".join(parts[:end])


def domain_job_name(domain: str) -> str:
    return f"{domain}_job"


def checks_reaching_outside(manifest: Mapping, dbt: dg.AssetsDefinition,
                            select: str) -> list[dg.AssetCheckKey]:
    """The checks (dbt tests) of a selection that also read a model outside it, e.g. a
    relationships test of another domain's fact to the shared calendar: left out, as
    `--indirect-selection cautious` leaves them out of a domain's `dbt build`."""
    selected = select_unique_ids(select=select, exclude="", selector="", project=None,
                                 manifest_json=manifest)
    outside = []
    for spec in dbt.check_specs:
        test = manifest["nodes"].get((spec.metadata or {}).get(DAGSTER_DBT_UNIQUE_ID_METADATA_KEY))
        if test is None:
            continue
        reads = [uid for uid in test["depends_on"]["nodes"] if not uid.startswith("source.")]
        if not set(reads) <= selected:
            outside.append(spec.key)
    return outside


def jobs(manifest: Mapping, land: Sequence[dg.AssetsDefinition], dbt: dg.AssetsDefinition,
         target: config.Target) -> list[dg.JobDefinition]:
    tags = writer_tags(target)
    # one step at a time on DuckDB (one writer per file); domains side by side on PostgreSQL
    executor = dg.multiprocess_executor.configured(
        {"max_concurrent": 1 if target.is_duckdb else 0})
    by_name = {a.op.name: a for a in land}
    result = []
    for domain in domains.all_domains():
        select = _dbt_select(domain.name)
        selection = dg.AssetSelection.assets(by_name[f"land_{domain.name}"]) | (
            build_dbt_asset_selection([dbt], dbt_select=select)
        )
        outside = checks_reaching_outside(manifest, dbt, select)
        if outside:
            selection = selection - dg.AssetSelection.checks(*outside)
        result.append(dg.define_asset_job(
            domain_job_name(domain.name), selection=selection, tags=tags,
            executor_def=executor,
            description=f"{domain.name}: land what is new, then dbt build its models "
                        f"({domain.select}), the calendar and the control tables",
        ))
    result.append(dg.define_asset_job(
        "nightly_job", selection=dg.AssetSelection.assets(*land, dbt), tags=tags,
        executor_def=executor,
        description="Every domain: land what is new, then dbt build the whole project",
    ))
    return result


def claim_files() -> dict[str, float]:
    """The claim-line files in the ACA drop folder, name -> modification time."""
    folder = aca.default_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p.stat().st_mtime for p in sorted(folder.glob("claim_lines_*.csv"))
            if aca.table_for(p) == "claim_lines"}


def aca_drop_sensor(job: dg.JobDefinition) -> dg.SensorDefinition:
    @dg.sensor(name="aca_claim_files_sensor", job=job, minimum_interval_seconds=60,
               description=f"Starts {job.name} when new or changed claim-line files appear in "
                           "the ACA drop folder (<WAREHOUSE_DATA_DIR>/sample/aca)")
    def sensor(context: dg.SensorEvaluationContext):
        seen: dict[str, float] = json.loads(context.cursor) if context.cursor else {}
        files = claim_files()
        new = sorted(name for name, mtime in files.items() if seen.get(name) != mtime)
        if not new:
            return dg.SkipReason(f"no new claim files in {aca.default_dir()}")
        run_key = hashlib.sha256(
            json.dumps({n: files[n] for n in new}, sort_keys=True).encode()
        ).hexdigest()[:16]
        context.update_cursor(json.dumps(files, sort_keys=True))
        return dg.RunRequest(run_key=run_key, tags={"warehouse/new_files": str(len(new))})

    return sensor


def build_definitions(target: config.Target | None = None) -> dg.Definitions:
    """The code location for WAREHOUSE_TARGET (or `target`)."""
    target = target or config.target()
    if target.is_spark:
        raise config.ConfigError(
            "the asset graph lands through dlt, which has no Spark destination: orchestrate "
            "a DuckDB or PostgreSQL target"
        )
    manifest = manifest_mod.load()
    land = landing.landing_assets(manifest, writer_tags(target))
    dbt = warehouse_dbt_assets(manifest, target)
    all_jobs = jobs(manifest, land, dbt, target)
    by_name = {j.name: j for j in all_jobs}
    nightly = dg.ScheduleDefinition(
        name="nightly_schedule", job=by_name["nightly_job"], cron_schedule=NIGHTLY_CRON,
        execution_timezone="UTC", default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Every day at 02:00 UTC: the nightly job",
    )
    sensors = []
    if ACA_DOMAIN in domains.names():
        sensors.append(aca_drop_sensor(by_name[domain_job_name(ACA_DOMAIN)]))
    return dg.Definitions(
        assets=[*land, dbt, *exposure_specs(manifest)],
        jobs=all_jobs,
        schedules=[nightly],
        sensors=sensors,
        resources={"dbt": dbt_resource(target)},
    )
