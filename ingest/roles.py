"""`python -m ingest setup-roles`: PostgreSQL roles for the warehouse, created idempotently.

    warehouse_loader       lands raw data: creates and writes the raw_<domain> schemas only
    warehouse_transformer  builds the dbt schemas; reads raw
    analyst                reads the marts only (granted per relation by dbt post-hooks,
                           never raw, staging, snapshots or ctl, and never columns that
                           hold direct identifiers of people)

Roles are group roles (NOLOGIN); give people or services LOGIN roles that are members:
`create role alice login in role analyst`.
"""

from __future__ import annotations

import argparse

from ingest import config, warehouse
from ingest.log import say

LOADER, TRANSFORMER, ANALYST = "warehouse_loader", "warehouse_transformer", "analyst"


def statements(dbname: str, raw_schemas: list[str]) -> list[str]:
    db = config.safe_identifier(dbname, "database")
    sql = []
    for role in (LOADER, TRANSFORMER, ANALYST):
        sql.append(
            "do $$ begin if not exists (select 1 from pg_roles where rolname = "
            f"'{role}') then create role {role} nologin; end if; end $$"
        )
    sql += [
        f"grant connect on database {db} to {LOADER}, {TRANSFORMER}, {ANALYST}",
        f"grant create on database {db} to {LOADER}, {TRANSFORMER}",
        # whatever the loader creates later in raw schemas is readable by the transformer
        f"alter default privileges for role {LOADER} grant select on tables to {TRANSFORMER}",
        f"alter default privileges for role {LOADER} grant usage on schemas to {TRANSFORMER}",
    ]
    for schema in raw_schemas:
        s = config.safe_identifier(schema, "schema")
        sql += [
            f"grant usage, create on schema {s} to {LOADER}",
            f"grant select, insert, update, delete on all tables in schema {s} to {LOADER}",
            f"grant usage on schema {s} to {TRANSFORMER}",
            f"grant select on all tables in schema {s} to {TRANSFORMER}",
            f"revoke all on schema {s} from {ANALYST}",
        ]
    return sql


def setup(target: config.Target) -> list[str]:
    if target.is_duckdb:
        raise config.ConfigError("roles exist only on PostgreSQL: use --target pg")
    with warehouse.connect(target) as con:
        raw = [
            r[0]
            for r in warehouse.fetchall(
                con,
                "select schema_name from information_schema.schemata "
                "where schema_name like 'raw\\_%'",
            )
        ]
        done = statements(target.pg_dbname, raw)
        cur = con.cursor()
        for stmt in done:
            cur.execute(stmt)
        cur.close()
    return done


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", choices=config.TARGETS, help="override WAREHOUSE_TARGET (pg)")


def run(args: argparse.Namespace) -> int:
    target = config.target(args.target)
    done = setup(target)
    say(f"roles {LOADER}, {TRANSFORMER}, {ANALYST} ready on {target.describe()} "
          f"({len(done)} statements)")
    return 0
