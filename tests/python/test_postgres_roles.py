"""PostgreSQL roles: an analyst reads the marts, never raw, staging, snapshots or ctl, and
never columns that identify a person; the roles setup is idempotent."""

from __future__ import annotations

from datetime import date

import psycopg2
import pytest
from conftest import dbt

from ingest import config, roles
from ingest.generators import aca as generator
from ingest.loaders import aca as loader
from ingest.sources import aca


def _as(role: str, target: config.Target, sql: str):
    con = psycopg2.connect(
        host=target.pg_host, port=target.pg_port, user=role, dbname=target.pg_dbname
    )
    con.autocommit = True
    try:
        with con.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        con.close()


@pytest.mark.build
@pytest.mark.postgres
def test_analyst_reads_marts_without_identifiers(pg_warehouse):
    target = pg_warehouse
    generator.generate(aca.default_dir(), 0.01, date(2025, 1, 1), 2, seed=4)
    loader.load([aca.default_dir()])
    roles.setup(target)
    roles.setup(target)  # idempotent
    dbt("build", "--selector", "aca")
    probe = "analyst_probe"
    admin = psycopg2.connect(
        host=target.pg_host, port=target.pg_port, user=target.pg_user,
        password=target.pg_password or None, dbname=target.pg_dbname,
    )
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(
            f"do $$ begin if not exists (select 1 from pg_roles where rolname = '{probe}') "
            f"then create role {probe} login in role analyst; end if; end $$"
        )
    admin.close()

    # marts: readable, including the non-identifying columns of tables with identifiers
    assert _as(probe, target, "select count(*) from aca.dim_provider")[0][0] > 0
    assert _as(probe, target, "select count(*) from aca.mart_plan_pmpm")[0][0] > 0
    assert _as(probe, target, "select count(member_sk), count(gender_code) from aca.dim_member")
    assert _as(probe, target, "select sum(allowed_amount_usd) from aca.fct_claim_lines")
    # direct identifiers and internal schemas: refused
    for sql in (
        "select member_id from aca.dim_member",
        "select first_name from aca.dim_member",
        "select birth_date from aca.dim_member",
        "select street_address from aca.dim_member",
        "select member_id from aca.fct_claim_lines",
        "select * from aca.dim_member",
        "select count(*) from raw_aca.members",
        "select count(*) from staging.stg_aca__members",
        "select count(*) from snapshots.snp_aca__members",
        "select count(*) from ctl.rejects",
    ):
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            _as(probe, target, sql)


@pytest.mark.postgres
def test_roles_exist_with_their_privileges(pg_warehouse):
    target = pg_warehouse
    generator.generate(aca.default_dir(), 0.01, date(2025, 1, 1), 1, seed=4)
    loader.load([aca.default_dir()])
    roles.setup(target)
    admin = psycopg2.connect(
        host=target.pg_host, port=target.pg_port, user=target.pg_user,
        password=target.pg_password or None, dbname=target.pg_dbname,
    )
    with admin.cursor() as cur:
        cur.execute(
            "select has_schema_privilege('warehouse_loader', 'raw_aca', 'create'), "
            "has_table_privilege('warehouse_transformer', 'raw_aca.members', 'select'), "
            "has_table_privilege('warehouse_transformer', 'raw_aca.members', 'insert'), "
            "has_schema_privilege('analyst', 'raw_aca', 'usage')"
        )
        assert cur.fetchone() == (True, True, False, False)
    admin.close()


def test_setup_roles_refuses_duckdb(duckdb_warehouse):
    with pytest.raises(config.ConfigError, match="only on PostgreSQL"):
        roles.setup(duckdb_warehouse)
