"""The project-structure checks (scripts/check_project.py) catch what they claim to: a small
hand-written manifest with one known defect per rule gives exactly those violations, and the
same manifest with the defects fixed gives none."""

from __future__ import annotations

import sys

from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import check_project  # noqa: E402

PKG = "warehouse"


def model(name: str, path: str, materialized: str = "view", **extra) -> dict:
    return {
        "resource_type": "model",
        "package_name": PKG,
        "name": name,
        "original_file_path": path,
        "description": extra.pop("description", f"{name} described"),
        "config": {
            "materialized": materialized,
            "meta": extra.pop("meta", {}),
            "group": extra.pop("group", "aca"),
            "contract": {"enforced": extra.pop("contract", materialized != "view")},
        },
        "access": extra.pop("access", "public" if materialized != "view" else "private"),
        "columns": extra.pop("columns", {}),
        **extra,
    }


def pk_tests(uid: str, column: str) -> dict:
    return {
        f"test.{uid}.{kind}": {
            "resource_type": "test",
            "package_name": PKG,
            "attached_node": uid,
            "column_name": column,
            "test_metadata": {"name": kind, "kwargs": {"column_name": column}},
        }
        for kind in ("unique", "not_null")
    }


def manifest(defects: bool) -> dict:
    src = "source.warehouse.aca.members"
    stg = "model.warehouse.stg_aca__members"
    dim = "model.warehouse.dim_member"
    bad_name = "model.warehouse.members_clean"
    person = {
        "member_sk": {"description": "key", "data_type": "varchar"},
        "first_name": {
            "description": "Given name (a direct identifier).",
            "meta": {} if defects else {"pii": True},
            "data_type": None if defects else "varchar",
        },
    }
    nodes = {
        stg: model(
            "stg_aca__members", "models/staging/aca/stg_aca__members.sql",
            access="public" if defects else "private",
        ),
        dim: model(
            "dim_member", "models/marts/aca/dim_member.sql", "table", columns=person,
            meta={"contains_pii": True},
        ),
        **pk_tests(stg, "member_id"),
        **pk_tests(dim, "member_sk"),
    }
    parents = {stg: [src], dim: [stg, src] if defects else [stg]}
    if defects:
        nodes[bad_name] = model(
            "members_clean", "models/marts/aca/members_clean.sql", "table", group=None,
            contract=False,
        )
        parents[bad_name] = []
    children: dict[str, list[str]] = {}
    for child, ps in parents.items():
        for parent in ps:
            children.setdefault(parent, []).append(child)
    return {
        "metadata": {"project_name": PKG},
        "nodes": nodes,
        "sources": {
            src: {
                "package_name": PKG,
                "source_name": "aca",
                "description": "members as landed",
                "source_description": "ACA files",
                "freshness": {"warn_after": {"count": 1, "period": "day"}},
            }
        },
        "parent_map": parents,
        "child_map": children,
        "exposures": {},
    }


def test_each_defect_is_reported_by_its_rule():
    found = {(v.rule, v.node) for v in check_project.evaluate(manifest(defects=True))}
    assert found == {
        ("direct_join_to_source", "model.warehouse.dim_member"),
        ("marts_depend_on_sources", "model.warehouse.dim_member"),
        ("pii_marks", "model.warehouse.dim_member"),
        ("model_naming", "model.warehouse.members_clean"),
        ("missing_primary_key_tests", "model.warehouse.members_clean"),
        ("root_models", "model.warehouse.members_clean"),
        ("contracts_on_marts", "model.warehouse.dim_member"),
        ("contracts_on_marts", "model.warehouse.members_clean"),
        ("groups_and_access", "model.warehouse.stg_aca__members"),
        ("groups_and_access", "model.warehouse.members_clean"),
    }


def test_a_clean_manifest_has_no_violation():
    assert check_project.evaluate(manifest(defects=False)) == []


def test_a_pii_column_needs_the_model_marked_as_containing_pii():
    m = manifest(defects=False)
    m["nodes"]["model.warehouse.dim_member"]["config"]["meta"] = {}
    (violation,) = check_project.evaluate(m)
    assert violation.rule == "pii_marks" and "first_name" in violation.detail


def test_a_semantic_model_measures_a_mart_beside_it():
    m = manifest(defects=False)
    m["semantic_models"] = {
        "semantic_model.warehouse.members": {
            "package_name": PKG,
            "original_file_path": "models/marts/aca/_aca__semantic.yml",
            "depends_on": {"nodes": ["model.warehouse.dim_member"]},
        },
    }
    assert check_project.evaluate(m) == []
    m["semantic_models"]["semantic_model.warehouse.members"]["original_file_path"] = (
        "models/marts/pm/_pm__semantic.yml"
    )
    m["semantic_models"]["semantic_model.warehouse.staged"] = {
        "package_name": PKG,
        "original_file_path": "models/staging/aca/_aca__semantic.yml",
        "depends_on": {"nodes": ["model.warehouse.stg_aca__members"]},
    }
    found = {(v.rule, v.node, v.detail) for v in check_project.evaluate(m)}
    assert found == {
        (
            "semantic_models_beside_marts", "semantic_model.warehouse.members",
            "defined in models/marts/pm, not beside model.warehouse.dim_member",
        ),
        (
            "semantic_models_beside_marts", "semantic_model.warehouse.staged",
            "measures model.warehouse.stg_aca__members, not a mart",
        ),
    }


def test_a_mart_needs_a_contract_and_public_access():
    m = manifest(defects=False)
    dim = m["nodes"]["model.warehouse.dim_member"]
    dim["config"]["contract"] = {"enforced": False}
    dim["access"] = "protected"
    found = {(v.rule, v.detail) for v in check_project.evaluate(m)}
    assert found == {
        ("contracts_on_marts", "contract not enforced"),
        ("groups_and_access", "access protected, marts are public"),
    }
