"""The semantic layer (models/marts/*/_<domain>__semantic.yml) through MetricFlow, against a
dbt target folder of one's choosing.

    python scripts/metrics.py validate [--target-path target]
    python scripts/metrics.py query --target-path DIR QUERIES.json

The `mf` CLI reads the semantic manifest from `<project>/target/semantic_manifest.json`;
builds that write their artifacts elsewhere (WAREHOUSE_DBT_TARGET_PATH: `make checks`, the
tests) use this script instead. It sets MetricFlow up as the CLI does: `dbt debug` over the
project and profiles.yml (which read the WAREHOUSE_* variables, so WAREHOUSE_TARGET picks the
warehouse), then the adapter of the profile's target.

`validate` is `mf validate-configs` plus the saved queries: the manifest's semantic rules,
then every semantic model, dimension, entity, measure and metric against the warehouse, then
each saved query planned and run with `limit 0`. Exit 1 on any error.

`query` runs a JSON list of queries (`{"metrics": [...], "group_by": [...], "where": [...]}`)
in one process and prints the result tables as one JSON list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import json
import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_target_path() -> Path:
    return Path(os.environ.get("WAREHOUSE_DBT_TARGET_PATH") or PROJECT_ROOT / "target")


def _manifest(target_path: Path):
    from metricflow_semantics.model.dbt_manifest_parser import (
        parse_manifest_from_dbt_generated_manifest,
    )

    path = target_path / "semantic_manifest.json"
    if not path.exists():
        sys.exit(f"{path} is missing: run `dbt parse` (or any dbt build) first")
    return parse_manifest_from_dbt_generated_manifest(path.read_text())


def _sql_client():
    from dbt.adapters.factory import get_adapter_by_type
    from dbt_metricflow.cli.dbt_connectors.adapter_backed_client import AdapterBackedSqlClient
    from dbt_metricflow.cli.dbt_connectors.dbt_config_accessor import dbtProjectMetadata

    project = dbtProjectMetadata.load_from_paths(
        profiles_path=PROJECT_ROOT, project_path=PROJECT_ROOT
    )
    return AdapterBackedSqlClient(get_adapter_by_type(project.profile.credentials.type))


def _engine(manifest, sql_client):
    from metricflow.engine.metricflow_engine import MetricFlowEngine
    from metricflow_semantics.model.semantic_manifest_lookup import SemanticManifestLookup

    return MetricFlowEngine(
        semantic_manifest_lookup=SemanticManifestLookup(manifest), sql_client=sql_client
    )


def _plain(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def query(target_path: Path, queries: list[dict]) -> list[dict]:
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest

    engine = _engine(_manifest(target_path), _sql_client())
    answers = []
    for request in queries:
        table = engine.query(
            MetricFlowQueryRequest.create(
                metric_names=request["metrics"],
                group_by_names=request.get("group_by", []),
                where_constraints=request.get("where"),
            )
        ).result_df
        answers.append(
            {
                "columns": list(table.column_names),
                "rows": [[_plain(value) for value in row] for row in table.rows],
            }
        )
    return answers


def validate(target_path: Path) -> int:
    from dbt_metricflow.cli.validation_result_formatter import ValidationResultFormatter
    from metricflow.engine.metricflow_engine import MetricFlowQueryRequest
    from metricflow.validation.data_warehouse_model_validator import DataWarehouseModelValidator
    from metricflow_semantic_interfaces.validations.semantic_manifest_validator import (
        SemanticManifestValidator,
    )
    from metricflow_semantic_interfaces.validations.validator_helpers import (
        SemanticManifestValidationResults,
    )

    manifest = _manifest(target_path)
    results = [SemanticManifestValidator().validate_semantic_manifest(manifest)]
    errors: list[str] = []
    if not results[0].has_blocking_issues:
        sql_client = _sql_client()
        warehouse = DataWarehouseModelValidator(sql_client=sql_client)
        for check in (
            warehouse.validate_semantic_models,
            warehouse.validate_dimensions,
            warehouse.validate_entities,
            warehouse.validate_simple_metrics,
            warehouse.validate_metrics,
        ):
            results.append(check(manifest, None))
        engine = _engine(manifest, sql_client)
        for saved in manifest.saved_queries:
            try:
                engine.query(MetricFlowQueryRequest.create(saved_query_name=saved.name, limit=0))
            except Exception as error:  # noqa: BLE001 - every failure is reported
                errors.append(f"saved query {saved.name}: {error}")
    merged = SemanticManifestValidationResults.merge(results)
    errors = [ValidationResultFormatter.format_validation_issue(i) for i in merged.errors] + errors
    for error in errors:
        print(f"- {error}")
    print(
        f"semantic layer: {len(manifest.semantic_models)} semantic models, "
        f"{len(manifest.metrics)} metrics, {len(manifest.saved_queries)} saved queries: "
        + (f"{len(errors)} errors" if errors else "valid")
    )
    return 1 if errors else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("validate", help="validate the semantic layer (exit 1 on errors)")
    check.add_argument("--target-path", type=Path, default=None)
    ask = commands.add_parser("query", help="run a JSON list of queries; print JSON")
    ask.add_argument("--target-path", type=Path, default=None)
    ask.add_argument("queries", type=Path)
    args = parser.parse_args(argv)
    target_path = args.target_path or default_target_path()
    if args.command == "validate":
        return validate(target_path)
    print(json.dumps(query(target_path, json.loads(args.queries.read_text()))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
