"""A warehouse file that travels: a copy of the DuckDB file under another name answers for
every relation, opened read-write, read-only, or attached under a name of its own.

DuckDB names a file's catalog after the file, so a view whose stored SQL names the catalog
(`warehouse.pm.dim_project`) fails in `claims_copy.duckdb` with `Catalog "warehouse" does
not exist`; refs and sources render without the catalog on DuckDB
(macros/cross_db/relation_names.sql). PostgreSQL views store object ids, not names, so a
PostgreSQL warehouse is unaffected; a renamed PostgreSQL database is not covered here.

The warehouse is every domain's sample at the docs' small scale, built without tests in a
subprocess (the file is closed before it is copied).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.build
REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD = """
import sys
from ingest import dbt_runner, demo
demo.prepare(0.01, 3, 42)
demo.land()
result = dbt_runner.invoke(["build", "--exclude-resource-type", "test", "unit_test"])
sys.exit(0 if result.success else 1)
"""
SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("travel")
    path = tmp / "warehouse.duckdb"
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "WAREHOUSE_TARGET": "ci",
        "WAREHOUSE_CI_DUCKDB_PATH": str(path),
        "WAREHOUSE_DATA_DIR": str(tmp / "data"),
        "WAREHOUSE_DBT_TARGET_PATH": str(tmp / "dbt_target"),
        "WAREHOUSE_THREADS": "2",
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT": "2GB",
    }
    done = subprocess.run([sys.executable, "-c", BUILD], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    return path


def relations(con, catalog: str) -> list[tuple[str, str, str]]:
    return con.execute(
        "select table_schema, table_name, table_type from information_schema.tables "
        "where table_catalog = ? and table_schema not in ('information_schema', 'pg_catalog') "
        "order by 1, 2",
        [catalog],
    ).fetchall()


def failures(con, prefix: str, rels) -> list[str]:
    failed = []
    for schema, name, kind in rels:
        try:
            con.execute(f'select count(*) from {prefix}"{schema}"."{name}"').fetchone()
        except duckdb.Error as exc:
            failed.append(f"{schema}.{name} ({kind}): {str(exc).splitlines()[0]}")
    return failed


def every_domain_is_there(rels) -> None:
    schemas = {schema for schema, _, _ in rels}
    views = [r for r in rels if r[2] == "VIEW"]
    assert {"aca", "pm", "clinical", "ctl", "staging"} <= schemas, schemas
    assert len(views) > 50, f"only {len(views)} views: the sample did not build"


@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_every_relation_answers_in_a_copy_under_another_name(built, tmp_path, read_only):
    copy = tmp_path / "claims_copy.duckdb"
    shutil.copyfile(built, copy)
    with duckdb.connect(str(copy), read_only=read_only) as con:
        rels = relations(con, "claims_copy")
        every_domain_is_there(rels)
        assert failures(con, "", rels) == []
        # no view's stored SQL names the catalog of the file it was built in
        naming = con.execute(
            "select schema_name || '.' || view_name from duckdb_views() "
            "where not internal and database_name = 'claims_copy' "
            "and regexp_matches(sql, '(^|[^a-z_])\"?warehouse\"?\\.')"
        ).fetchall()
        assert naming == []


def test_every_relation_answers_in_a_copy_attached_read_only(built, tmp_path):
    copy = tmp_path / "replica.duckdb"
    shutil.copyfile(built, copy)
    with duckdb.connect() as con:
        con.execute(f"attach '{copy}' as analysts (read_only)")
        rels = relations(con, "analysts")
        every_domain_is_there(rels)
        assert failures(con, '"analysts".', rels) == []
