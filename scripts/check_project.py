"""Project-structure rules of dbt_project_evaluator, checked from the dbt manifest.

    python scripts/check_project.py [--manifest target/manifest.json]
                                    [--exceptions scripts/project_rules_exceptions.yml]

Each rule names the dbt_project_evaluator check it follows. A violation listed in the
exceptions file (rule, node, reason; `node` may be a glob such as `source.*._dlt_loads`) is
reported as accepted; any other violation, and any exception that no longer matches a
violation, fails the check (exit 1).

Layer of a model, by folder: models/staging/<source>/ (base_ in base/, stg_ otherwise),
models/intermediate/<domain>/, models/marts/<domain>/, models/ctl/ (audit and control).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_EXCEPTIONS = PROJECT_ROOT / "scripts" / "project_rules_exceptions.yml"
VIEW_LIKE = ("view", "ephemeral")
MAX_VIEW_CHAIN = 3
MART_PREFIXES = ("dim_", "fct_", "agg_", "mart_", "brg_")
PK_TESTS = ("unique", "expect_compound_columns_to_be_unique", "unique_combination_of_columns")


@dataclass(frozen=True)
class Violation:
    rule: str
    node: str
    detail: str


class Project:
    """The models, sources and tests of one package of a manifest, with their parents."""

    def __init__(self, manifest: dict) -> None:
        package = manifest["metadata"].get("project_name")
        self.manifest = manifest
        self.models = {
            uid: node
            for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["package_name"] == package
        }
        self.sources = {
            uid: s for uid, s in manifest["sources"].items() if s["package_name"] == package
        }
        self.tests = [
            node for node in manifest["nodes"].values() if node["resource_type"] == "test"
        ]
        self.exposures = manifest.get("exposures", {})
        self.semantic_models = {
            uid: sm
            for uid, sm in manifest.get("semantic_models", {}).items()
            if sm.get("package_name") == package
        }

    def parents(self, uid: str) -> list[str]:
        return self.manifest["parent_map"].get(uid, [])

    def layer(self, uid: str) -> str:
        parts = Path(self.models[uid]["original_file_path"]).parts
        return parts[1] if len(parts) > 2 and parts[0] == "models" else "other"

    def materialized(self, uid: str) -> str:
        return self.models[uid]["config"].get("materialized", "view")


def direct_join_to_source(p: Project) -> Iterator[Violation]:
    """fct_direct_join_to_source: a model reads a source and another model together."""
    for uid in p.models:
        parents = p.parents(uid)
        sources = [x for x in parents if x.startswith("source.")]
        models = [x for x in parents if x.startswith("model.")]
        if sources and models:
            yield Violation(
                "direct_join_to_source", uid, f"sources {sources} joined with models {models}"
            )


def marts_depend_on_sources(p: Project) -> Iterator[Violation]:
    """fct_marts_or_intermediate_dependent_on_source: only staging calls source()."""
    for uid in p.models:
        if p.layer(uid) in ("marts", "intermediate", "ctl"):
            sources = [x for x in p.parents(uid) if x.startswith("source.")]
            if sources:
                yield Violation("marts_depend_on_sources", uid, f"reads {sources}")


def staging_depends_on_staging(p: Project) -> Iterator[Violation]:
    """fct_staging_dependent_on_staging: a stg_ model selects from another stg_ model.

    base_ models are the layer under stg_ (one source table each, every landed row), so
    stg_ reading base_ is the intended shape, not a violation.
    """
    for uid, node in p.models.items():
        if p.layer(uid) != "staging" or not node["name"].startswith("stg_"):
            continue
        staged = [
            x
            for x in p.parents(uid)
            if x in p.models and p.models[x]["name"].startswith("stg_")
        ]
        if staged:
            yield Violation("staging_depends_on_staging", uid, f"reads {staged}")


def staging_depends_downstream(p: Project) -> Iterator[Violation]:
    """fct_staging_dependent_on_marts_or_intermediate: staging never reads a later layer."""
    for uid in p.models:
        if p.layer(uid) != "staging":
            continue
        later = [
            x
            for x in p.parents(uid)
            if x in p.models and p.layer(x) in ("intermediate", "marts", "ctl")
        ]
        if later:
            yield Violation("staging_depends_downstream", uid, f"reads {later}")


def model_naming(p: Project) -> Iterator[Violation]:
    """fct_model_naming_conventions: the prefix matches the layer and the folder."""
    for uid, node in p.models.items():
        name = node["name"]
        parts = Path(node["original_file_path"]).parts
        layer = p.layer(uid)
        folder = parts[2] if len(parts) > 3 else ""
        if layer == "staging":
            prefix = "base_" if "base" in parts[3:-1] else "stg_"
            expected = f"{prefix}{folder}__"
            if not name.startswith(expected):
                yield Violation("model_naming", uid, f"staging model should be named {expected}*")
        elif layer == "intermediate":
            if not name.startswith(f"int_{folder}__"):
                yield Violation("model_naming", uid, f"should be named int_{folder}__*")
        elif layer == "marts":
            if not name.startswith(MART_PREFIXES):
                yield Violation(
                    "model_naming", uid, f"mart name should start with one of {MART_PREFIXES}"
                )
        elif layer != "ctl":
            yield Violation("model_naming", uid, "model outside staging, intermediate, marts, ctl")


def model_directories(p: Project) -> Iterator[Violation]:
    """fct_model_directories: a model lives in the folder of its layer and source/domain."""
    for uid, node in p.models.items():
        name = node["name"]
        parts = Path(node["original_file_path"]).parts
        layer = p.layer(uid)
        if name.startswith(("stg_", "base_")) and layer != "staging":
            yield Violation("model_directories", uid, "staging model outside models/staging/")
        elif name.startswith("int_") and layer != "intermediate":
            yield Violation(
                "model_directories", uid, "intermediate model outside models/intermediate/"
            )
        elif name.startswith(MART_PREFIXES) and layer != "marts":
            yield Violation("model_directories", uid, "mart model outside models/marts/")
        if layer == "staging":
            sources = {
                p.sources[x]["source_name"] for x in p.parents(uid) if x in p.sources
            }
            if sources and parts[2] not in sources:
                yield Violation(
                    "model_directories",
                    uid,
                    f"reads source {sorted(sources)} but lives in staging/{parts[2]}/",
                )


def missing_primary_key_tests(p: Project) -> Iterator[Violation]:
    """fct_missing_primary_key_tests: every model has unique + not_null or a compound test."""
    unique: set[str] = set()
    not_null: set[tuple[str, str]] = set()
    unique_cols: set[tuple[str, str]] = set()
    for test in p.tests:
        meta = test.get("test_metadata") or {}
        name = meta.get("name", "")
        model = test.get("attached_node")
        column = test.get("column_name") or (meta.get("kwargs") or {}).get("column_name")
        if not model:
            continue
        if name in ("unique", "expect_column_values_to_be_unique") and column:
            unique_cols.add((model, column))
        elif name in ("not_null", "expect_column_values_to_not_be_null") and column:
            not_null.add((model, column))
        elif name in PK_TESTS:
            unique.add(model)
    for model, column in unique_cols:
        if (model, column) in not_null:
            unique.add(model)
    for uid in p.models:
        if p.materialized(uid) != "ephemeral" and uid not in unique:
            yield Violation(
                "missing_primary_key_tests",
                uid,
                "no unique + not_null column and no compound-uniqueness test",
            )


def sources_without_freshness(p: Project) -> Iterator[Violation]:
    """fct_sources_without_freshness: every source table has a freshness policy."""
    for uid, source in p.sources.items():
        freshness = source.get("freshness") or {}
        if not any((freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after")):
            yield Violation("sources_without_freshness", uid, "no warn_after/error_after")


def undocumented(p: Project) -> Iterator[Violation]:
    """fct_undocumented_models, fct_undocumented_sources, fct_undocumented_source_tables."""
    for uid, node in p.models.items():
        if not (node.get("description") or "").strip():
            yield Violation("undocumented_models", uid, "model has no description")
    seen: set[str] = set()
    for uid, source in p.sources.items():
        if not (source.get("description") or "").strip():
            yield Violation("undocumented_source_tables", uid, "source table has no description")
        name = source["source_name"]
        if name not in seen and not (source.get("source_description") or "").strip():
            yield Violation("undocumented_sources", f"source.{name}", "source has no description")
        seen.add(name)


def chained_views(p: Project) -> Iterator[Violation]:
    """fct_chained_views_dependencies: no chain of more than three views/ephemerals."""

    memo: dict[str, list[str]] = {}

    def longest(uid: str) -> list[str]:
        """The longest chain of view-like models ending at uid (uid included)."""
        if uid in memo:
            return memo[uid]
        memo[uid] = [uid]  # guards a cycle, which dbt refuses anyway
        best: list[str] = []
        for parent in p.parents(uid):
            if parent in p.models and p.materialized(parent) in VIEW_LIKE:
                chain = longest(parent)
                if len(chain) > len(best):
                    best = chain
        memo[uid] = [*best, uid]
        return memo[uid]

    for uid in p.models:
        if p.materialized(uid) not in VIEW_LIKE:
            continue
        chain = longest(uid)
        feeds_view = any(
            c in p.models and p.materialized(c) in VIEW_LIKE
            for c in p.manifest["child_map"].get(uid, [])
        )
        if len(chain) > MAX_VIEW_CHAIN and not feeds_view:
            names = " -> ".join(p.models[x]["name"] for x in chain)
            yield Violation("chained_views", uid, f"{len(chain)} views in a row: {names}")


def root_models(p: Project) -> Iterator[Violation]:
    """fct_root_models: a model with no parent (no ref, no source) hides its input."""
    for uid in p.models:
        if not p.parents(uid):
            yield Violation("root_models", uid, "no ref() or source() parent")


def exposures_on_marts(p: Project) -> Iterator[Violation]:
    """fct_exposure_parents_materializations: exposures read marts (or ctl), never staging."""
    for uid in p.exposures:
        for parent in p.parents(uid):
            if parent.startswith("source.") or (
                parent in p.models and p.layer(parent) not in ("marts", "ctl")
            ):
                yield Violation("exposures_on_marts", uid, f"depends on {parent}")


def semantic_models_beside_marts(p: Project) -> Iterator[Violation]:
    """House rule (design guide): a semantic model measures a mart and is defined beside it,
    in a YAML file of the mart's own folder."""
    for uid, semantic_model in p.semantic_models.items():
        folder = Path(semantic_model["original_file_path"]).parent
        for parent in semantic_model.get("depends_on", {}).get("nodes", []):
            if parent not in p.models or p.layer(parent) != "marts":
                yield Violation(
                    "semantic_models_beside_marts", uid, f"measures {parent}, not a mart"
                )
            elif Path(p.models[parent]["original_file_path"]).parent != folder:
                yield Violation(
                    "semantic_models_beside_marts", uid, f"defined in {folder}, not beside {parent}"
                )


def pii_marks(p: Project) -> Iterator[Violation]:
    """House rule (the analyst grants read it): a mart column described as a direct
    identifier carries `meta: {pii: true}`, and a mart with such a column says
    `contains_pii: true`."""
    for uid, node in p.models.items():
        if p.layer(uid) != "marts":
            continue
        marked = []
        for name, column in node.get("columns", {}).items():
            meta = {**column.get("meta", {}), **column.get("config", {}).get("meta", {})}
            if meta.get("pii"):
                marked.append(name)
            elif "direct identifier" in (column.get("description") or "").lower():
                yield Violation("pii_marks", uid, f"column {name} is described as a direct "
                                "identifier but has no meta pii: true")
        if marked and not node["config"].get("meta", {}).get("contains_pii"):
            yield Violation("pii_marks", uid, f"pii column(s) {', '.join(marked)} but the "
                            "model's meta says contains_pii is not true")


def contracts_on_marts(p: Project) -> Iterator[Violation]:
    """House rule: every mart and control table has an enforced contract, a `data_type` on
    each of its columns, so that a change that renames or retypes a column fails the build
    instead of reaching analysts."""
    for uid, node in p.models.items():
        if p.layer(uid) not in ("marts", "ctl"):
            continue
        if not node["config"].get("contract", {}).get("enforced"):
            yield Violation("contracts_on_marts", uid, "contract not enforced")
            continue
        untyped = [name for name, c in node.get("columns", {}).items() if not c.get("data_type")]
        if untyped:
            yield Violation("contracts_on_marts", uid, f"no data_type on {', '.join(untyped)}")


def groups_and_access(p: Project) -> Iterator[Violation]:
    """House rule: every model belongs to a group (its domain, models/_groups.yml); marts and
    control tables are public, staging and intermediate models are not (private to their
    domain, or protected where the control tables gather them from every domain)."""
    for uid, node in p.models.items():
        if not node["config"].get("group"):
            yield Violation("groups_and_access", uid, "no group")
        access = node.get("access") or node["config"].get("access") or "protected"
        public = p.layer(uid) in ("marts", "ctl")
        if public and access != "public":
            yield Violation("groups_and_access", uid, f"access {access}, marts are public")
        if not public and access == "public":
            yield Violation("groups_and_access", uid, "staging and intermediate are not public")


RULES: tuple[Callable[[Project], Iterator[Violation]], ...] = (
    direct_join_to_source,
    marts_depend_on_sources,
    staging_depends_on_staging,
    staging_depends_downstream,
    model_naming,
    model_directories,
    missing_primary_key_tests,
    sources_without_freshness,
    undocumented,
    chained_views,
    root_models,
    exposures_on_marts,
    semantic_models_beside_marts,
    pii_marks,
    contracts_on_marts,
    groups_and_access,
)


def load_exceptions(path: Path) -> dict[tuple[str, str], str]:
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text()) or {}
    out: dict[tuple[str, str], str] = {}
    for entry in entries.get("exceptions", []):
        missing = {"rule", "node", "reason"} - set(entry)
        if missing:
            raise SystemExit(f"error: {path}: exception {entry} lacks {sorted(missing)}")
        out[(entry["rule"], entry["node"])] = entry["reason"]
    return out


def exception_for(
    violation: Violation, exceptions: dict[tuple[str, str], str]
) -> tuple[str, str] | None:
    """The (rule, node pattern) of the exception that covers a violation, if any."""
    for rule, pattern in exceptions:
        if rule == violation.rule and fnmatch.fnmatchcase(violation.node, pattern):
            return rule, pattern
    return None


def evaluate(manifest: dict) -> list[Violation]:
    project = Project(manifest)
    return sorted(
        {v for rule in RULES for v in rule(project)}, key=lambda v: (v.rule, v.node)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", type=Path, default=PROJECT_ROOT / "target/manifest.json")
    parser.add_argument("--exceptions", type=Path, default=DEFAULT_EXCEPTIONS)
    args = parser.parse_args(argv)
    if not args.manifest.exists():
        print(f"error: {args.manifest} is missing; run `dbt parse` first", file=sys.stderr)
        return 2
    violations = evaluate(json.loads(args.manifest.read_text()))
    exceptions = load_exceptions(args.exceptions)
    failing, accepted, used = [], [], set()
    for v in violations:
        match = exception_for(v, exceptions)
        if match is None:
            failing.append(v)
        else:
            accepted.append((v, exceptions[match]))
            used.add(match)
    stale = sorted(set(exceptions) - used)
    by_exception: dict[tuple[str, str], list[str]] = {}
    for v in violations:
        match = exception_for(v, exceptions)
        if match is not None:
            by_exception.setdefault(match, []).append(v.node)
    for (rule, pattern), nodes in sorted(by_exception.items()):
        reason = " ".join(exceptions[(rule, pattern)].split())
        print(f"accepted  {rule:<28} {pattern} ({len(nodes)}): {reason}")
    for v in failing:
        print(f"VIOLATION {v.rule:<28} {v.node}: {v.detail}")
    for rule, node in stale:
        print(f"STALE     {rule:<28} {node}: exception matches no violation; remove it")
    print(
        f"project rules: {len(RULES)} checks, {len(failing)} violations, "
        f"{len(accepted)} accepted exceptions, {len(stale)} stale exceptions"
    )
    return 1 if failing or stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
