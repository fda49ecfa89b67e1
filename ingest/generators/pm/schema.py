"""SQLAlchemy Core schema of the operational project-management database.

Every table carries `created_at` and `updated_at`; entity tables also carry `deleted_at`
(soft delete). Primary keys are integer surrogates supplied by the generator (no sequences),
so the same seed gives the same keys on SQLite and PostgreSQL. `issue_review_links` has a
composite key; `issue_activity` is insert-only. The `sim_*` tables belong to the simulator,
not to the operational model: `sim_clock` holds where the simulated clock stands and
`sim_history` is the ground-truth change log (one row per row change, with the row's full
state after the change as JSON).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
)

metadata = MetaData()


def _audit(entity: bool = True) -> list[Column]:
    columns = [
        Column("created_at", DateTime, nullable=False),
        Column("updated_at", DateTime, nullable=False),
    ]
    if entity:
        columns.append(Column("deleted_at", DateTime, nullable=True))
    return columns


def _pk(name: str) -> Column:
    return Column(name, Integer, primary_key=True, autoincrement=False)


clients = Table(
    "clients",
    metadata,
    _pk("client_id"),
    Column("name", String(200), nullable=False),
    Column("industry", String(100), nullable=False),
    Column("country_code", String(2), nullable=False),
    *_audit(),
)

project_types = Table(
    "project_types",
    metadata,
    _pk("project_type_id"),
    Column("name", String(100), nullable=False),
    Column("description", String(500), nullable=False),
    *_audit(),
)

users = Table(
    "users",
    metadata,
    _pk("user_id"),
    Column("full_name", String(200), nullable=False),
    Column("email", String(200), nullable=False),
    Column("team", String(100), nullable=False),
    Column("role", String(100), nullable=False),
    Column("is_active", Boolean, nullable=False),
    *_audit(),
)

projects = Table(
    "projects",
    metadata,
    _pk("project_id"),
    Column("client_id", Integer, ForeignKey("clients.client_id"), nullable=False),
    Column("project_type_id", Integer, ForeignKey("project_types.project_type_id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("start_date", Date, nullable=False),
    Column("target_end_date", Date, nullable=False),
    Column("owner_user_id", Integer, ForeignKey("users.user_id"), nullable=False),
    *_audit(),
)

services = Table(
    "services",
    metadata,
    _pk("service_id"),
    Column("project_id", Integer, ForeignKey("projects.project_id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("service_tier", String(20), nullable=False),
    Column("monthly_price_usd", Numeric(12, 2), nullable=False),
    *_audit(),
)

review_cycles = Table(
    "review_cycles",
    metadata,
    _pk("review_cycle_id"),
    Column("service_id", Integer, ForeignKey("services.service_id"), nullable=False),
    Column("cycle_name", String(200), nullable=False),
    Column("planned_date", Date, nullable=False),
    Column("actual_date", Date, nullable=True),
    Column("status", String(20), nullable=False),
    *_audit(),
)

service_reviews = Table(
    "service_reviews",
    metadata,
    _pk("service_review_id"),
    Column(
        "review_cycle_id", Integer, ForeignKey("review_cycles.review_cycle_id"), nullable=False
    ),
    Column("reviewer_user_id", Integer, ForeignKey("users.user_id"), nullable=False),
    Column("held_at", DateTime, nullable=False),
    Column("outcome", String(40), nullable=False),
    Column("score", Integer, nullable=False),
    *_audit(),
)

issues = Table(
    "issues",
    metadata,
    _pk("issue_id"),
    Column("project_id", Integer, ForeignKey("projects.project_id"), nullable=False),
    Column("service_id", Integer, ForeignKey("services.service_id"), nullable=True),
    Column("title", String(300), nullable=False),
    Column("issue_type", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("priority", String(20), nullable=False),
    Column("assignee_user_id", Integer, ForeignKey("users.user_id"), nullable=True),
    Column("reporter_user_id", Integer, ForeignKey("users.user_id"), nullable=False),
    Column("opened_at", DateTime, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("closed_at", DateTime, nullable=True),
    *_audit(),
)

issue_review_links = Table(
    "issue_review_links",
    metadata,
    Column("issue_id", Integer, ForeignKey("issues.issue_id"), primary_key=True,
           autoincrement=False),
    Column("service_review_id", Integer, ForeignKey("service_reviews.service_review_id"),
           primary_key=True, autoincrement=False),
    Column("link_type", String(20), nullable=False),
    *_audit(entity=False),
)

issue_activity = Table(
    "issue_activity",
    metadata,
    _pk("activity_id"),
    Column("issue_id", Integer, ForeignKey("issues.issue_id"), nullable=False),
    Column("activity_at", DateTime, nullable=False),
    Column("field", String(20), nullable=False),
    Column("old_value", String(100), nullable=True),
    Column("new_value", String(100), nullable=True),
    *_audit(entity=False),
)

Index("ix_issue_activity_issue_id", issue_activity.c.issue_id)

sim_clock = Table(
    "sim_clock",
    metadata,
    _pk("clock_id"),
    Column("seed", Integer, nullable=False),
    Column("scale", Float, nullable=False),
    Column("history_start", Date, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("clock_date", Date, nullable=False),
    Column("day_index", Integer, nullable=False),
    Column("next_ids", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)

sim_history = Table(
    "sim_history",
    metadata,
    _pk("history_id"),
    Column("table_name", String(40), nullable=False),
    Column("entity_id", String(60), nullable=False),
    Column("change_at", DateTime, nullable=False),
    Column("change_kind", String(20), nullable=False),
    Column("row_json", Text, nullable=True),
)

Index("ix_sim_history_table_change", sim_history.c.table_name, sim_history.c.change_at)

# Parents before children: the order to insert in (and, reversed, to delete in).
OPERATIONAL_TABLES: tuple[Table, ...] = (
    project_types,
    clients,
    users,
    projects,
    services,
    review_cycles,
    service_reviews,
    issues,
    issue_review_links,
    issue_activity,
)
SIM_TABLES: tuple[Table, ...] = (sim_clock, sim_history)
TABLES: dict[str, Table] = {t.name: t for t in OPERATIONAL_TABLES}
ENTITY_TABLES: frozenset[str] = frozenset(t.name for t in OPERATIONAL_TABLES if "deleted_at" in t.c)


def pk_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]
