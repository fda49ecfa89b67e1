"""Operational project-management database: generator and day-by-day simulator.

`generate` builds the database from nothing by simulating a ramp-up period of
`RAMP_DAYS` days before `start_date` (clients, users, projects and services are signed up,
issues are opened and worked on), then `days` ordinary days from `start_date` on.
`simulate` continues from where the clock in `sim_clock` stands. Every day is driven by a
random generator seeded with (seed, day index), so the same seed gives the same database on
SQLite and PostgreSQL, and generating K days equals generating fewer days and simulating the
rest.

Every row change gets its own timestamp from the simulated clock, strictly later than any
earlier change in the database, and is logged in `sim_history` with the row's full state
after the change; `state_as_of` rebuilds any table as it was at a given moment from it.

The simulation runs in memory (the whole state is loaded, days are applied, and the net
difference is written back with executemany inserts, updates and deletes).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.url import URL

from ingest.config import ConfigError, data_dir, env, safe_identifier
from ingest.generators import pm_schema as schema
from ingest.log import done_progress, progress, say

RAMP_DAYS = 90
DEFAULT_START = date(2025, 1, 1)
DEFAULT_SEED = 42
WORK_START = timedelta(hours=7)
WORK_WINDOW_SECONDS = 13 * 3600
CENT = Decimal("0.01")

Key = int | tuple[int, int]
Row = dict[str, Any]


class PmError(RuntimeError):
    """The operational database cannot be generated or simulated; the message says why."""


# --------------------------------------------------------------------------- value pools

INDUSTRY_SUFFIXES = {
    "Banking": ("Bank", "Savings", "Capital", "Financial"),
    "Insurance": ("Insurance", "Assurance", "Mutual"),
    "Retail": ("Retail Group", "Stores", "Outfitters", "Market"),
    "Healthcare": ("Health", "Medical Group", "Clinics", "Care"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Works"),
    "Energy": ("Energy", "Power", "Utilities", "Renewables"),
    "Telecommunications": ("Telecom", "Networks", "Communications"),
    "Public Sector": ("County Council", "Public Services", "Authority"),
    "Education": ("University", "College", "Academy", "Learning"),
    "Media": ("Media", "Publishing", "Studios"),
    "Hospitality": ("Hotels", "Resorts", "Hospitality"),
}
INDUSTRIES = tuple(INDUSTRY_SUFFIXES)
CLIENT_WORDS = (
    "Northwind", "Bluefin", "Harbor", "Summit", "Crescent", "Ironbridge", "Silverline",
    "Redwood", "Granite", "Evergreen", "Lakeside", "Pioneer", "Atlas", "Beacon", "Cobalt",
    "Meridian", "Orchard", "Quarry", "Sterling", "Tidewater", "Vantage", "Westbrook",
    "Juniper", "Keystone", "Larkspur", "Maple", "Oakridge", "Pinnacle", "Riverton", "Sapphire",
    "Falcon", "Halcyon", "Kestrel", "Lumen", "Nimbus", "Osprey", "Polaris", "Solstice",
)
COUNTRIES = (
    ("US", 30), ("GB", 12), ("DE", 10), ("FR", 7), ("NL", 6), ("IE", 4), ("ES", 4),
    ("IT", 4), ("SE", 3), ("DK", 2), ("PL", 3), ("CA", 5), ("AU", 4), ("SG", 2),
    ("JP", 2), ("BR", 2), ("IN", 3), ("ZA", 1), ("CH", 3), ("AT", 2),
)
# (name, description, weight when a project picks its type); weight 0 = never picked.
PROJECT_TYPES = (
    ("Implementation", "Roll out a new system for the client", 10),
    ("Migration", "Move workloads or data to a new platform", 8),
    ("Managed Service", "Ongoing operation of client systems", 9),
    ("Consulting", "Advisory engagement with fixed deliverables", 6),
    ("Integration", "Connect client systems through APIs or data feeds", 6),
    ("Data Platform", "Build or extend a data warehouse or lake", 5),
    ("Security Assessment", "Audit and remediation of security controls", 4),
    ("Support Retainer", "Pre-paid block of support hours", 5),
    ("Training", "Enablement sessions for client staff", 2),
    ("Optimisation", "Performance and cost tuning of existing systems", 3),
    ("Proof of Concept", "Short trial build to validate an approach", 2),
    ("Legacy Decommissioning", "Retire systems that have been replaced", 0),
    ("Disaster Recovery Test", "Scheduled failover rehearsal", 1),
    ("Accessibility Audit", "Review of client-facing applications against WCAG", 1),
    ("Hackathon", "One-off innovation sprint with client staff", 0),
    ("Localisation", "Adapt products for new markets and languages", 1),
)
INITIAL_PROJECT_TYPES = 12
FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Aiden", "Chloe", "Leo", "Priya", "Arjun",
    "Yuki", "Kenji", "Fatima", "Omar", "Ingrid", "Lars", "Sofia", "Marco", "Chen", "Wei",
    "Aisha", "Kwame", "Elena", "Dmitri", "Nora", "Tomas", "Zara", "Felix", "Maya", "Hugo",
)
LAST_NAMES = (
    "Smith", "Johnson", "Garcia", "Müller", "Brown", "Davis", "Martinez", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Patel", "Nguyen", "Kim", "Rossi",
    "Schmidt", "Dubois", "Jansen", "Nielsen", "Kowalski", "Tanaka", "Sato", "Okafor", "Mensah",
    "Haddad", "Silva", "Costa", "Novak", "Ivanova", "O'Brien", "Murphy", "Fischer", "Larsen",
    "Bianchi", "Fernandes", "Cohen",
)
TEAMS = (
    "Platform", "Data Engineering", "Delivery", "Customer Support", "Security",
    "Quality Assurance", "Design", "Infrastructure",
)
ROLES = (
    ("Engineer", 30), ("Senior Engineer", 18), ("Team Lead", 8), ("Project Manager", 10),
    ("Business Analyst", 8), ("QA Engineer", 10), ("Designer", 5), ("Support Specialist", 12),
    ("Architect", 4),
)
OWNER_ROLES = frozenset({"Project Manager", "Team Lead", "Architect"})
PROJECT_SUBJECTS = (
    "Customer Portal", "Billing", "Data Warehouse", "CRM", "Mobile App", "Payments",
    "Inventory", "HR System", "Website", "Analytics", "Identity", "Network", "ERP",
    "Service Desk", "Claims Processing", "Supply Chain", "Document Management", "Intranet",
)
PROJECT_KINDS = (
    "Upgrade", "Rollout", "Migration", "Modernisation", "Integration", "Rebuild",
    "Optimisation", "Consolidation",
)
SERVICE_NAMES = (
    "Managed Hosting", "Application Support", "24/7 Monitoring", "Database Administration",
    "Data Pipeline Operations", "Security Monitoring", "Backup and Recovery", "Service Desk",
    "Release Management", "Cloud Cost Management", "Performance Tuning", "Incident Response",
)
TIERS = ("bronze", "silver", "gold", "platinum")
TIER_BASE_PRICE = {"bronze": 800, "silver": 2500, "gold": 6000, "platinum": 15000}
TIER_WEIGHTS = (30, 35, 25, 10)
CYCLE_KINDS = ("service review", "health check", "quarterly business review")
OUTCOMES = (("approved", 45), ("approved_with_actions", 30), ("needs_rework", 18),
            ("rejected", 7))
OUTCOME_SCORES = {"approved": (4, 5), "approved_with_actions": (3, 4),
                  "needs_rework": (2, 3), "rejected": (1, 2)}
ISSUE_TYPES = (("bug", 40), ("task", 25), ("incident", 15), ("change_request", 12),
               ("risk", 8))
PRIORITIES = (("low", 30), ("medium", 40), ("high", 22), ("critical", 8))
PRIORITY_DUE_DAYS = {"low": 30, "medium": 14, "high": 7, "critical": 2}
COMPONENTS = (
    "Login", "Checkout", "Reporting", "Search", "Notifications", "API gateway", "Billing run",
    "Data import", "Dashboard", "User profile", "Export", "Scheduler", "Payments",
    "Audit log", "Mobile app", "Single sign-on",
)
PROBLEMS = {
    "bug": ("fails for some users", "returns HTTP 500", "shows wrong totals",
            "times out under load", "loses unsaved changes", "renders incorrectly on Safari"),
    "task": ("update configuration", "document runbook", "add monitoring",
             "rotate credentials", "upgrade dependencies", "clean up stale data"),
    "incident": ("outage in production", "degraded response times", "failed nightly job",
                 "certificate expired", "disk nearly full"),
    "change_request": ("add CSV export", "support SSO via SAML", "new field requested by client",
                       "extend retention period", "change approval workflow"),
    "risk": ("single point of failure", "vendor end of support", "capacity nearing limit",
             "key person dependency", "unpatched library"),
}
# Per-day probability that an issue in a status moves, and where it moves to.
ISSUE_MOVE_P = {"open": 0.22, "in_progress": 0.18, "blocked": 0.15, "resolved": 0.3,
                "closed": 0.002}
ISSUE_MOVES = {
    "open": (("in_progress", 70), ("blocked", 5), ("resolved", 15), ("closed", 10)),
    "in_progress": (("resolved", 60), ("blocked", 20), ("open", 20)),
    "blocked": (("in_progress", 80), ("resolved", 20)),
    "resolved": (("closed", 85), ("in_progress", 15)),
    "closed": (("open", 70), ("in_progress", 30)),
}
ISSUE_REASSIGN_P = 0.03
ISSUE_REPRIORITIZE_P = 0.02
OPEN_PROJECT_STATUSES = ("planned", "active", "on_hold")

# Expected events per ordinary day at scale 1 (a floor keeps rare events alive at small scale).
RATES: dict[str, tuple[float, float]] = {
    "new_client": (0.1, 0.0),
    "rename_client": (0.03, 0.0),
    "change_client_industry": (0.01, 0.0),
    "soft_delete_client": (0.02, 0.0),
    "new_user": (0.25, 0.0),
    "change_user_team": (0.4, 0.05),
    "change_user_role": (0.15, 0.0),
    "deactivate_user": (0.08, 0.0),
    "reactivate_user": (0.01, 0.0),
    "soft_delete_user": (0.05, 0.0),
    "new_project": (1.0, 0.05),
    "rename_project": (0.3, 0.05),
    "move_project": (0.15, 0.05),
    "change_project_owner": (0.2, 0.0),
    "soft_delete_project": (0.05, 0.0),
    "new_service": (1.5, 0.05),
    "reprice_service": (1.0, 0.1),
    "change_service_tier": (0.25, 0.0),
    "soft_delete_service": (0.1, 0.0),
    "new_issue": (45.0, 1.0),
    "soft_delete_issue": (0.5, 0.2),
    "hard_delete_issue": (0.3, 0.1),
    "hard_delete_link": (1.0, 0.3),
    "soft_delete_review": (0.05, 0.0),
    "soft_delete_cycle": (0.1, 0.02),
    "new_project_type": (0.0, 0.05),
    "hard_delete_project_type": (0.0, 0.1),
    "soft_delete_project_type": (0.0, 0.01),
}
# Ramp-up: share of each population created on the first ramp day (rest spread evenly).
TARGETS = {"clients": 50, "users": 150, "projects": 200, "services": 400}
FIRST_DAY_SHARE = {"clients": 0.4, "users": 0.5, "projects": 0.15, "services": 0.1}
MINIMUM = {"clients": 3, "users": 8, "projects": 4, "services": 6}


# --------------------------------------------------------------------------- state


@dataclass
class State:
    seed: int
    scale: float
    history_start: date
    start_date: date
    clock_date: date
    day_index: int
    next_ids: dict[str, int]
    rows: dict[str, dict[Key, Row]]
    loaded: dict[str, set[Key]]
    touched: dict[str, set[Key]] = field(default_factory=lambda: defaultdict(set))
    history: list[Row] = field(default_factory=list)
    created_at: datetime | None = None


@dataclass
class Day:
    state: State
    rng: random.Random
    date: date
    ramp_day: int | None
    now: datetime
    end: datetime
    mean_gap: int
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> dict[str, dict[Key, Row]]:
        return self.state.rows


def _empty_state(seed: int, scale: float, start_date: date) -> State:
    history_start = start_date - timedelta(days=RAMP_DAYS)
    names = [t.name for t in schema.OPERATIONAL_TABLES if len(schema.pk_columns(t)) == 1]
    return State(
        seed=seed,
        scale=scale,
        history_start=history_start,
        start_date=start_date,
        clock_date=history_start,
        day_index=0,
        next_ids={**{name: 1 for name in names}, "sim_history": 1},
        rows={t.name: {} for t in schema.OPERATIONAL_TABLES},
        loaded={t.name: set() for t in schema.OPERATIONAL_TABLES},
    )


def _key_of(table: str, row: Row) -> Key:
    cols = schema.pk_columns(schema.TABLES[table])
    return row[cols[0]] if len(cols) == 1 else tuple(row[c] for c in cols)


def _entity_id(key: Key) -> str:
    return "|".join(str(k) for k in key) if isinstance(key, tuple) else str(key)


def _json_default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _snapshot(row: Row) -> str:
    return json.dumps(row, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def _new_row(table: str, **values: Any) -> Row:
    columns = schema.TABLES[table].columns.keys()
    unknown = set(values) - set(columns)
    if unknown:
        raise PmError(f"unknown columns for {table}: {sorted(unknown)}")
    return {c: values.get(c) for c in columns}


def _new_id(day: Day, table: str) -> int:
    value = day.state.next_ids[table]
    day.state.next_ids[table] = value + 1
    return value


# --------------------------------------------------------------------------- clock + changes


def _tick(day: Day, close: bool = False) -> datetime:
    """Next timestamp of the simulated clock: strictly later than every earlier change."""
    gap = 1 if close or day.mean_gap <= 1 else day.rng.randint(1, 2 * day.mean_gap - 1)
    nxt = day.now + timedelta(seconds=gap)
    if nxt > day.end:
        nxt = day.now + timedelta(milliseconds=1)
        if nxt > day.end:
            raise PmError(f"more changes than the simulated day {day.date} can hold")
    day.now = nxt
    return nxt


def _log(day: Day, table: str, key: Key, at: datetime, kind: str, row: Row | None) -> None:
    state = day.state
    state.touched[table].add(key)
    state.history.append({
        "history_id": state.next_ids["sim_history"],
        "table_name": table,
        "entity_id": _entity_id(key),
        "change_at": at,
        "change_kind": kind,
        "row_json": None if row is None else _snapshot(row),
    })
    state.next_ids["sim_history"] += 1


def _insert(day: Day, table: str, row: Row, stamp: Iterable[str] = (), close: bool = False) -> Key:
    at = _tick(day, close)
    row["created_at"] = row["updated_at"] = at
    for name in stamp:
        row[name] = at
    key = _key_of(table, row)
    if key in day.rows[table]:
        raise PmError(f"duplicate key {key!r} in {table}")
    day.rows[table][key] = row
    _log(day, table, key, at, "insert", row)
    return key


def _update(day: Day, table: str, key: Key, changes: Row, at: datetime | None = None) -> bool:
    """Apply the changes that differ from the row; bump updated_at only if something did."""
    row = day.rows[table].get(key)
    if row is None:
        return False
    diff = {k: v for k, v in changes.items() if row[k] != v}
    if not diff:
        return False
    at = at or _tick(day)
    row.update(diff)
    row["updated_at"] = at
    _log(day, table, key, at, "update", row)
    return True


def _soft_delete(day: Day, table: str, key: Key) -> bool:
    row = day.rows[table].get(key)
    if row is None or row["deleted_at"] is not None:
        return False
    at = _tick(day)
    row["deleted_at"] = row["updated_at"] = at
    _log(day, table, key, at, "soft_delete", row)
    return True


def _hard_delete(day: Day, table: str, key: Key) -> None:
    if key in day.rows[table]:
        at = _tick(day, close=True)
        del day.rows[table][key]
        _log(day, table, key, at, "hard_delete", None)


# --------------------------------------------------------------------------- helpers


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def _count(rng: random.Random, expected: float) -> int:
    whole = math.floor(expected)
    return whole + (1 if rng.random() < expected - whole else 0)


def _live(day: Day, table: str, pred: Callable[[Row], bool] | None = None) -> list[Key]:
    return [k for k, r in sorted(day.rows[table].items())
            if r["deleted_at"] is None and (pred is None or pred(r))]


def _is_active_user(row: Row | None) -> bool:
    return row is not None and row["deleted_at"] is None and row["is_active"]


def _pick(day: Day, candidates: list[Key], valid: Callable[[Key], bool]) -> Key | None:
    for _ in range(6):
        if not candidates:
            return None
        key = day.rng.choice(candidates)
        if valid(key):
            return key
    return None


def _active_user(day: Day, exclude: int | None = None) -> int | None:
    users = day.rows["users"]
    candidates = day.cache.get("active_users")
    if candidates is None:
        candidates = _live(day, "users", lambda r: r["is_active"])
    key = _pick(day, candidates, lambda k: _is_active_user(users.get(k)) and k != exclude)
    return None if key is None else int(key)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def _rate(day: Day, name: str) -> float:
    per_scale, floor = RATES[name]
    return max(floor, per_scale * day.state.scale)


# --------------------------------------------------------------------------- creating rows


def _new_project_type(day: Day) -> None:
    present = {r["name"] for r in day.rows["project_types"].values()}
    free = [p for p in PROJECT_TYPES if p[0] not in present]
    if not free:
        return
    name, description, _ = free[0] if day.ramp_day == 0 else day.rng.choice(free)
    _insert(day, "project_types", _new_row(
        "project_types", project_type_id=_new_id(day, "project_types"),
        name=name, description=description))


def _client_name(day: Day, industry: str) -> str:
    present = {r["name"] for r in day.rows["clients"].values()}
    name = ""
    for _ in range(8):
        name = f"{day.rng.choice(CLIENT_WORDS)} {day.rng.choice(INDUSTRY_SUFFIXES[industry])}"
        if name not in present:
            return name
    return f"{name} {day.rng.choice(('Group', 'International', 'Holdings', 'Partners'))}"


def _new_client(day: Day) -> None:
    industry = day.rng.choice(INDUSTRIES)
    _insert(day, "clients", _new_row(
        "clients", client_id=_new_id(day, "clients"), name=_client_name(day, industry),
        industry=industry, country_code=_weighted(day.rng, COUNTRIES)))


def _new_user(day: Day) -> None:
    first, last = day.rng.choice(FIRST_NAMES), day.rng.choice(LAST_NAMES)
    local = f"{first}.{last}".lower().replace("'", "").replace("ü", "ue")
    emails = day.cache.setdefault("emails", {r["email"] for r in day.rows["users"].values()})
    email, n = f"{local}@example.com", 1
    while email in emails:
        n += 1
        email = f"{local}{n}@example.com"
    emails.add(email)
    _insert(day, "users", _new_row(
        "users", user_id=_new_id(day, "users"), full_name=f"{first} {last}", email=email,
        team=day.rng.choice(TEAMS), role=_weighted(day.rng, ROLES), is_active=True))


def _project_name(day: Day, client: Row | None) -> str:
    word = client["name"].split(" ")[0] if client else day.rng.choice(CLIENT_WORDS)
    return f"{word} {day.rng.choice(PROJECT_SUBJECTS)} {day.rng.choice(PROJECT_KINDS)}"


def _new_project(day: Day) -> None:
    clients = _live(day, "clients")
    types = [(k, r["name"]) for k, r in sorted(day.rows["project_types"].items())
             if r["deleted_at"] is None]
    weights = {p[0]: p[2] for p in PROJECT_TYPES}
    types = [(k, weights.get(name, 1)) for k, name in types if weights.get(name, 1) > 0]
    if not clients or not types:
        return
    owners = _live(day, "users", lambda r: r["is_active"] and r["role"] in OWNER_ROLES)
    owner = day.rng.choice(owners) if owners else _active_user(day)
    if owner is None:
        return
    client_id = day.rng.choice(clients)
    type_id = day.rng.choices([t[0] for t in types], weights=[t[1] for t in types])[0]
    start = day.date + timedelta(days=day.rng.randint(0, 30))
    _insert(day, "projects", _new_row(
        "projects", project_id=_new_id(day, "projects"), client_id=client_id,
        project_type_id=type_id, name=_project_name(day, day.rows["clients"][client_id]),
        status="planned" if start > day.date else "active", start_date=start,
        target_end_date=start + timedelta(days=day.rng.randint(60, 540)),
        owner_user_id=owner))


def _new_service(day: Day) -> None:
    projects = _live(day, "projects", lambda r: r["status"] in ("planned", "active"))
    if not projects:
        return
    tier = day.rng.choices(TIERS, weights=TIER_WEIGHTS)[0]
    price = _money(TIER_BASE_PRICE[tier] * day.rng.uniform(0.7, 1.4))
    _insert(day, "services", _new_row(
        "services", service_id=_new_id(day, "services"), project_id=day.rng.choice(projects),
        name=day.rng.choice(SERVICE_NAMES), service_tier=tier, monthly_price_usd=price))


def _issue_row(day: Day, project_id: int, service_id: int | None, reporter: int,
               issue_type: str) -> Row:
    priority = _weighted(day.rng, PRIORITIES)
    due_days = PRIORITY_DUE_DAYS[priority] + day.rng.randint(0, PRIORITY_DUE_DAYS[priority])
    assignee = _active_user(day) if day.rng.random() < 0.6 else None
    return _new_row(
        "issues", issue_id=_new_id(day, "issues"), project_id=project_id, service_id=service_id,
        title=f"{day.rng.choice(COMPONENTS)}: {day.rng.choice(PROBLEMS[issue_type])}",
        issue_type=issue_type, status="open", priority=priority, assignee_user_id=assignee,
        reporter_user_id=reporter, due_date=day.date + timedelta(days=due_days))


def _new_issue(day: Day) -> None:
    projects = day.cache["open_projects"]
    if not projects:
        return
    project_id = day.rng.choice(projects)
    services = day.cache["services_by_project"].get(project_id, [])
    service_id = day.rng.choice(services) if services and day.rng.random() < 0.6 else None
    reporter = _active_user(day)
    if reporter is None:
        return
    row = _issue_row(day, project_id, service_id, reporter, _weighted(day.rng, ISSUE_TYPES))
    _insert(day, "issues", row, stamp=("opened_at",))


def _activity(day: Day, issue_id: int, name: str, old: Any, new: Any) -> None:
    _insert(day, "issue_activity", _new_row(
        "issue_activity", activity_id=_new_id(day, "issue_activity"), issue_id=issue_id,
        field=name, old_value=None if old is None else str(old),
        new_value=None if new is None else str(new)), stamp=("activity_at",), close=True)


# --------------------------------------------------------------------------- issue changes


def _live_issue(day: Day, issue_id: int) -> Row | None:
    row = day.rows["issues"].get(issue_id)
    return row if row is not None and row["deleted_at"] is None else None


def _move_issue(day: Day, issue_id: int) -> None:
    row = _live_issue(day, issue_id)
    if row is None:
        return
    old_status, old_assignee = row["status"], row["assignee_user_id"]
    new_status = _weighted(day.rng, ISSUE_MOVES[old_status])
    at = _tick(day)
    changes: Row = {"status": new_status, "closed_at": at if new_status == "closed" else None}
    if new_status == "in_progress" and old_assignee is None:
        changes["assignee_user_id"] = _active_user(day)
    if not _update(day, "issues", issue_id, changes, at=at):
        return
    _activity(day, issue_id, "status", old_status, new_status)
    if row["assignee_user_id"] != old_assignee:
        _activity(day, issue_id, "assignee", old_assignee, row["assignee_user_id"])


def _reassign_issue(day: Day, issue_id: int) -> None:
    row = _live_issue(day, issue_id)
    if row is None or row["status"] == "closed":
        return
    old = row["assignee_user_id"]
    new = _active_user(day, exclude=old)
    if new is not None and _update(day, "issues", issue_id, {"assignee_user_id": new}):
        _activity(day, issue_id, "assignee", old, new)


def _reprioritize_issue(day: Day, issue_id: int) -> None:
    row = _live_issue(day, issue_id)
    if row is None or row["status"] == "closed":
        return
    old = row["priority"]
    others = tuple(p for p in PRIORITIES if p[0] != old)
    new = _weighted(day.rng, others)
    if _update(day, "issues", issue_id, {"priority": new}):
        _activity(day, issue_id, "priority", old, new)


def _soft_delete_issue(day: Day) -> None:
    key = _pick(day, day.cache["live_issues"], lambda k: _live_issue(day, int(k)) is not None)
    if key is not None:
        _soft_delete(day, "issues", key)


def _hard_delete_issue(day: Day) -> None:
    """Purge an issue (a soft-deleted one when there is any) with its activity and links."""
    issues = day.rows["issues"]
    pool = [k for k, r in sorted(issues.items()) if r["deleted_at"] is not None]
    pool = pool or [k for k, r in sorted(issues.items()) if r["status"] == "closed"]
    if not pool:
        return
    issue_id = day.rng.choice(pool)
    for key in sorted(k for k in day.rows["issue_review_links"] if k[0] == issue_id):
        _hard_delete(day, "issue_review_links", key)
    activity = day.rows["issue_activity"]
    for key in sorted(k for k, r in activity.items() if r["issue_id"] == issue_id):
        _hard_delete(day, "issue_activity", key)
    _hard_delete(day, "issues", issue_id)


def _hard_delete_link(day: Day) -> None:
    links = sorted(day.rows["issue_review_links"])
    if links:
        _hard_delete(day, "issue_review_links", day.rng.choice(links))


# --------------------------------------------------------------------------- reviews


def _schedule_cycle(day: Day, service_id: int) -> None:
    planned = day.date + timedelta(days=day.rng.randint(7, 60))
    _insert(day, "review_cycles", _new_row(
        "review_cycles", review_cycle_id=_new_id(day, "review_cycles"), service_id=service_id,
        cycle_name=f"{planned:%b %Y} {day.rng.choice(CYCLE_KINDS)}", planned_date=planned,
        actual_date=None, status="planned"))


def _reschedule_cycle(day: Day, cycle_id: int) -> None:
    row = day.rows["review_cycles"].get(cycle_id)
    if row is None or row["status"] != "planned" or row["deleted_at"] is not None:
        return
    planned = row["planned_date"] + timedelta(days=day.rng.randint(3, 21))
    _update(day, "review_cycles", cycle_id, {"planned_date": planned})


def _close_cycle(day: Day, cycle_id: int, cancel: bool) -> None:
    cycle = day.rows["review_cycles"].get(cycle_id)
    if cycle is None or cycle["status"] != "planned" or cycle["deleted_at"] is not None:
        return
    if cancel:
        _update(day, "review_cycles", cycle_id, {"status": "cancelled"})
        return
    _update(day, "review_cycles", cycle_id, {"status": "completed", "actual_date": day.date})
    service = day.rows["services"][cycle["service_id"]]
    for _ in range(day.rng.choice((1, 1, 2))):
        _hold_review(day, cycle_id, service)


def _hold_review(day: Day, cycle_id: int, service: Row) -> None:
    reviewer = _active_user(day)
    if reviewer is None:
        return
    outcome = _weighted(day.rng, OUTCOMES)
    review_id = _new_id(day, "service_reviews")
    _insert(day, "service_reviews", _new_row(
        "service_reviews", service_review_id=review_id, review_cycle_id=cycle_id,
        reviewer_user_id=reviewer, outcome=outcome,
        score=day.rng.randint(*OUTCOME_SCORES[outcome])), stamp=("held_at",))
    raised = day.rng.choice((0, 0, 0, 1, 1, 2)) if outcome != "approved" else 0
    for _ in range(raised):
        issue_type = day.rng.choice(("bug", "change_request", "risk", "task"))
        row = _issue_row(day, service["project_id"], service["service_id"], reviewer, issue_type)
        issue_id = _insert(day, "issues", row, stamp=("opened_at",), close=True)
        _link(day, int(issue_id), review_id, "raised")
    candidates = day.cache["issues_by_project"].get(service["project_id"], [])
    if candidates:
        count = min(len(candidates), day.rng.choice((0, 1, 1, 2, 3)))
        for issue_id in sorted(day.rng.sample(candidates, count)):
            if _live_issue(day, issue_id) is not None:
                _link(day, issue_id, review_id, "checked")


def _link(day: Day, issue_id: int, review_id: int, link_type: str) -> None:
    _insert(day, "issue_review_links", _new_row(
        "issue_review_links", issue_id=issue_id, service_review_id=review_id,
        link_type=link_type), close=True)


# --------------------------------------------------------------------------- other changes


def _change(table: str, make: Callable[[Day, Row], Row | None],
            pred: Callable[[Row], bool] | None = None) -> Callable[[Day], None]:
    """An action that picks a live row of `table` (matching `pred`) and applies `make`."""

    def action(day: Day) -> None:
        candidates = _live(day, table, pred)
        if not candidates:
            return
        key = day.rng.choice(candidates)
        changes = make(day, day.rows[table][key])
        if changes:
            _update(day, table, key, changes)

    return action


def _soft_deleter(table: str, pred: Callable[[Row], bool] | None = None
                  ) -> Callable[[Day], None]:
    def action(day: Day) -> None:
        candidates = _live(day, table, pred)
        if candidates:
            _soft_delete(day, table, day.rng.choice(candidates))

    return action


def _rename_client(day: Day, row: Row) -> Row:
    return {"name": _client_name(day, row["industry"])}


def _change_industry(day: Day, row: Row) -> Row:
    return {"industry": day.rng.choice([i for i in INDUSTRIES if i != row["industry"]])}


def _change_team(day: Day, row: Row) -> Row:
    return {"team": day.rng.choice([t for t in TEAMS if t != row["team"]])}


def _change_role(day: Day, row: Row) -> Row:
    return {"role": _weighted(day.rng, tuple(r for r in ROLES if r[0] != row["role"]))}


def _rename_project(day: Day, row: Row) -> Row:
    if day.rng.random() < 0.3 and "Phase" not in row["name"]:
        return {"name": f"{row['name']} Phase 2"}
    return {"name": _project_name(day, day.rows["clients"].get(row["client_id"]))}


def _move_project(day: Day, row: Row) -> Row | None:
    clients = [c for c in _live(day, "clients") if c != row["client_id"]]
    return {"client_id": day.rng.choice(clients)} if clients else None


def _change_owner(day: Day, row: Row) -> Row | None:
    owner = _active_user(day, exclude=row["owner_user_id"])
    return None if owner is None else {"owner_user_id": owner}


def _reprice(day: Day, row: Row) -> Row:
    factor = 1 + day.rng.choice((-1, 1, 1, 1)) * day.rng.uniform(0.02, 0.12)
    return {"monthly_price_usd": _money(float(row["monthly_price_usd"]) * factor)}


def _change_tier(day: Day, row: Row) -> Row | None:
    i = TIERS.index(row["service_tier"])
    options = [j for j in (i - 1, i + 1) if 0 <= j < len(TIERS)]
    tier = TIERS[day.rng.choice(options)]
    ratio = TIER_BASE_PRICE[tier] / TIER_BASE_PRICE[row["service_tier"]]
    return {"service_tier": tier,
            "monthly_price_usd": _money(float(row["monthly_price_usd"]) * ratio)}


def _project_status(day: Day, project_id: int, status: str) -> None:
    _update(day, "projects", project_id, {"status": status})


def _slip_project(day: Day, project_id: int) -> None:
    row = day.rows["projects"][project_id]
    slip = timedelta(days=day.rng.randint(14, 90))
    _update(day, "projects", project_id, {"target_end_date": row["target_end_date"] + slip})


def _hard_delete_project_type(day: Day) -> None:
    used = {r["project_type_id"] for r in day.rows["projects"].values()}
    unused = [k for k in sorted(day.rows["project_types"]) if k not in used]
    if unused:
        _hard_delete(day, "project_types", day.rng.choice(unused))


def _soft_delete_project_type(day: Day) -> None:
    used = {r["project_type_id"] for r in day.rows["projects"].values()
            if r["deleted_at"] is None and r["status"] in OPEN_PROJECT_STATUSES}
    candidates = _live(day, "project_types")
    retired = [k for k in candidates if k not in used]
    if retired and len(candidates) > 4:
        _soft_delete(day, "project_types", day.rng.choice(retired))


def _reactivate(day: Day, row: Row) -> Row:
    return {"is_active": True}


def _deactivate(day: Day, row: Row) -> Row:
    return {"is_active": False}


CHANGE_ACTIONS: dict[str, Callable[[Day], None]] = {
    "rename_client": _change("clients", _rename_client),
    "change_client_industry": _change("clients", _change_industry),
    "soft_delete_client": _soft_deleter("clients"),
    "change_user_team": _change("users", _change_team, lambda r: r["is_active"]),
    "change_user_role": _change("users", _change_role, lambda r: r["is_active"]),
    "deactivate_user": _change("users", _deactivate, lambda r: r["is_active"]),
    "reactivate_user": _change("users", _reactivate, lambda r: not r["is_active"]),
    "soft_delete_user": _soft_deleter("users", lambda r: not r["is_active"]),
    "rename_project": _change("projects", _rename_project),
    "move_project": _change("projects", _move_project,
                            lambda r: r["status"] in OPEN_PROJECT_STATUSES),
    "change_project_owner": _change("projects", _change_owner,
                                    lambda r: r["status"] in OPEN_PROJECT_STATUSES),
    "soft_delete_project": _soft_deleter("projects",
                                         lambda r: r["status"] in ("cancelled", "completed")),
    "reprice_service": _change("services", _reprice),
    "change_service_tier": _change("services", _change_tier),
    "soft_delete_service": _soft_deleter("services"),
    "soft_delete_issue": _soft_delete_issue,
    "hard_delete_issue": _hard_delete_issue,
    "hard_delete_link": _hard_delete_link,
    "soft_delete_review": _soft_deleter("service_reviews"),
    "soft_delete_cycle": _soft_deleter("review_cycles", lambda r: r["status"] == "cancelled"),
    "new_project_type": _new_project_type,
    "hard_delete_project_type": _hard_delete_project_type,
    "soft_delete_project_type": _soft_delete_project_type,
}


# --------------------------------------------------------------------------- one day


def _growth(day: Day) -> list[tuple[Callable[[Day], None], int]]:
    """How many clients, users, projects and services are created today, in that order."""
    makers = {"clients": _new_client, "users": _new_user, "projects": _new_project,
              "services": _new_service}
    rate_names = {"clients": "new_client", "users": "new_user", "projects": "new_project",
                  "services": "new_service"}
    plan: list[tuple[Callable[[Day], None], int]] = []
    if day.ramp_day == 0:
        plan.append((_new_project_type, INITIAL_PROJECT_TYPES))
    for name, maker in makers.items():
        if day.ramp_day is None:
            plan.append((maker, _count(day.rng, _rate(day, rate_names[name]))))
            continue
        target = max(MINIMUM[name], round(TARGETS[name] * day.state.scale))
        first = max(2, round(target * FIRST_DAY_SHARE[name]))
        expected = first if day.ramp_day == 0 else (target - first) / (RAMP_DAYS - 1)
        plan.append((maker, _count(day.rng, expected)))
    return plan


def _build_caches(day: Day) -> None:
    rows = day.rows
    day.cache["active_users"] = _live(day, "users", lambda r: r["is_active"])
    day.cache["open_projects"] = _live(
        day, "projects", lambda r: r["status"] in OPEN_PROJECT_STATUSES)
    by_project: dict[int, list[int]] = defaultdict(list)
    for key in _live(day, "services"):
        by_project[rows["services"][key]["project_id"]].append(key)
    day.cache["services_by_project"] = by_project
    live_issues = _live(day, "issues")
    day.cache["live_issues"] = live_issues
    issues_by_project: dict[int, list[int]] = defaultdict(list)
    for key in live_issues:
        if rows["issues"][key]["status"] != "closed":
            issues_by_project[rows["issues"][key]["project_id"]].append(key)
    day.cache["issues_by_project"] = issues_by_project


def _plan_changes(day: Day, growth: list[Callable[[], None]]) -> list[Callable[[], None]]:
    """Today's changes as actions in a random order (growth actions mixed in)."""
    rng, rows, today = day.rng, day.rows, day.date
    actions: list[Callable[[], None]] = list(growth)

    def add(fn: Callable[..., None], *args: Any) -> None:
        actions.append(lambda: fn(day, *args))

    for _ in range(_count(rng, _rate(day, "new_issue"))):
        add(_new_issue)
    for issue_id in day.cache["live_issues"]:
        status = rows["issues"][issue_id]["status"]
        if rng.random() < ISSUE_MOVE_P[status]:
            add(_move_issue, issue_id)
        if status != "closed":
            if rng.random() < ISSUE_REASSIGN_P:
                add(_reassign_issue, issue_id)
            if rng.random() < ISSUE_REPRIORITIZE_P:
                add(_reprioritize_issue, issue_id)
    for project_id in _live(day, "projects"):
        p = rows["projects"][project_id]
        status, r = p["status"], rng.random()
        if status == "planned" and p["start_date"] <= today and r < 0.5:
            add(_project_status, project_id, "active")
        elif status == "active":
            if p["target_end_date"] <= today and r < 0.2:
                add(_project_status, project_id, "completed")
            elif r < 0.004:
                add(_project_status, project_id, "on_hold")
            elif r < 0.0042:
                add(_project_status, project_id, "cancelled")
            elif r < 0.008:
                add(_slip_project, project_id)
        elif status == "on_hold":
            if r < 0.05:
                add(_project_status, project_id, "active")
            elif r < 0.06:
                add(_project_status, project_id, "cancelled")
    planned_services = set()
    for cycle_id, c in sorted(rows["review_cycles"].items()):
        if c["status"] != "planned" or c["deleted_at"] is not None:
            continue
        planned_services.add(c["service_id"])
        service = rows["services"].get(c["service_id"])
        due, r = c["planned_date"] <= today, rng.random()
        service_gone = service is None or service["deleted_at"] is not None
        if due and (service_gone or r < 0.03):
            add(_close_cycle, cycle_id, True)
        elif due and r < (0.65 if c["planned_date"] == today else 0.35):
            add(_close_cycle, cycle_id, False)
        elif not due and r < 0.01:
            add(_reschedule_cycle, cycle_id)
    for service_id in _live(day, "services"):
        if service_id not in planned_services and rng.random() < 0.08:
            add(_schedule_cycle, service_id)
    for name, fn in CHANGE_ACTIONS.items():
        for _ in range(_count(rng, _rate(day, name))):
            add(fn)
    rng.shuffle(actions)
    return actions


def _simulate_day(state: State) -> None:
    today = state.clock_date
    ramp_day = state.day_index if today < state.start_date else None
    rng = random.Random(f"pm:{state.seed}:{state.day_index}")
    start = datetime.combine(today, datetime.min.time())
    day = Day(state=state, rng=rng, date=today, ramp_day=ramp_day, now=start + WORK_START,
              end=start + timedelta(hours=23, minutes=59, seconds=59), mean_gap=1)
    growth = [maker for maker, n in _growth(day) for _ in range(n)]
    if ramp_day == 0:
        # The very first day: reference data exists before anything can refer to it.
        day.mean_gap = max(1, 3600 // (len(growth) + 1))
        for maker in growth:
            maker(day)
        growth = []
    _build_caches(day)
    actions = _plan_changes(day, [lambda m=m: m(day) for m in growth])
    window = (start + WORK_START + timedelta(seconds=WORK_WINDOW_SECONDS) - day.now)
    day.mean_gap = max(1, int(window.total_seconds() / (1.3 * len(actions) + 20)))
    for action in actions:
        action()
    state.clock_date = today + timedelta(days=1)
    state.day_index += 1


# --------------------------------------------------------------------------- database


def default_url() -> str:
    return f"sqlite:///{data_dir() / 'ops' / 'pm.sqlite'}"


def sample(scale: float, days: int, seed: int) -> None:
    """The demo's sample (domain registry): the operational database at the default URL,
    at least scale 0.02 and at most 30 days of history; reused when already there."""
    generate(default_url(), scale=max(scale, 0.02), days=min(days, 30), seed=seed)


def _warehouse_dbname() -> str:
    return env("WAREHOUSE_PG_DBNAME", "warehouse")


def _parse_url(url: str | None) -> URL:
    try:
        parsed = make_url(url or default_url())
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types here
        raise PmError(f"not a database URL: {url!r} ({exc})") from exc
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        dbname = safe_identifier(parsed.database or "", "PostgreSQL database name")
        if dbname == _warehouse_dbname():
            raise PmError(
                f"refusing to use {dbname!r} as the operational database: it is the warehouse "
                "database (WAREHOUSE_PG_DBNAME); choose another database name")
    elif backend != "sqlite":
        raise PmError(f"unsupported database backend {backend!r}: use sqlite or postgresql")
    return parsed


def _engine(url: str | None, create: bool) -> Engine:
    parsed = _parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path and path != ":memory:" and not path.startswith("file:"):
            if create:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            elif not Path(path).exists():
                raise PmError(f"no operational database at {path}; run `generate pm` first")
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _sqlite_connect)
        sa.event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("begin"))
        return engine
    if create:
        _ensure_pg_database(parsed)
    return sa.create_engine(parsed, executemany_mode="values_plus_batch")


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Check foreign keys (SQLite does only when asked, per connection), and let SQLAlchemy
    begin transactions itself so that DDL is part of them (generation is all or nothing)."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("pragma foreign_keys = on")
    cursor.close()


def _ensure_pg_database(parsed: URL) -> None:
    dbname = safe_identifier(parsed.database or "", "PostgreSQL database name")
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                sa.text("select 1 from pg_database where datname = :name"), {"name": dbname}
            ).first()
            if not exists:
                conn.exec_driver_sql(f'create database "{dbname}"')
    except sa.exc.OperationalError as exc:
        raise PmError(f"cannot reach PostgreSQL at {parsed.host}:{parsed.port}: {exc}") from exc
    finally:
        admin.dispose()


def _read_clock(conn: Connection, lock: bool = False) -> Row | None:
    if not sa.inspect(conn).has_table("sim_clock"):
        return None
    query = sa.select(schema.sim_clock).where(schema.sim_clock.c.clock_id == 1)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


def _load_state(conn: Connection, clock: Row) -> State:
    rows: dict[str, dict[Key, Row]] = {}
    for table in schema.OPERATIONAL_TABLES:
        pk = [table.c[c] for c in schema.pk_columns(table)]
        result = conn.execute(sa.select(table).order_by(*pk)).mappings()
        rows[table.name] = {_key_of(table.name, dict(r)): dict(r) for r in result}
    return State(
        seed=clock["seed"],
        scale=clock["scale"],
        history_start=clock["history_start"],
        start_date=clock["start_date"],
        clock_date=clock["clock_date"],
        day_index=clock["day_index"],
        next_ids=json.loads(clock["next_ids"]),
        rows=rows,
        loaded={name: set(table_rows) for name, table_rows in rows.items()},
        created_at=clock["created_at"],
    )


def _key_params(table: sa.Table, key: Key) -> Row:
    cols = schema.pk_columns(table)
    values = key if isinstance(key, tuple) else (key,)
    return {f"k_{c}": v for c, v in zip(cols, values, strict=True)}


def _flush(conn: Connection, state: State) -> None:
    """Write the net difference between the loaded and the simulated state, then the log."""
    deletes: list[tuple[sa.Table, list[Key]]] = []
    for table in schema.OPERATIONAL_TABLES:
        live, before = state.rows[table.name], state.loaded[table.name]
        touched = sorted(state.touched.get(table.name, ()))
        inserts = [live[k] for k in touched if k in live and k not in before]
        updates = [k for k in touched if k in live and k in before]
        deletes.append((table, [k for k in touched if k not in live and k in before]))
        cols = schema.pk_columns(table)
        for start in range(0, len(inserts), 5000):
            conn.execute(table.insert(), inserts[start:start + 5000])
        if updates:
            where = sa.and_(*(table.c[c] == sa.bindparam(f"k_{c}") for c in cols))
            params = [{**_key_params(table, k),
                       **{c: v for c, v in live[k].items() if c not in cols}} for k in updates]
            conn.execute(table.update().where(where), params)
    for table, keys in reversed(deletes):
        if keys:
            cols = schema.pk_columns(table)
            where = sa.and_(*(table.c[c] == sa.bindparam(f"k_{c}") for c in cols))
            conn.execute(table.delete().where(where), [_key_params(table, k) for k in keys])
    for start in range(0, len(state.history), 5000):
        conn.execute(schema.sim_history.insert(), state.history[start:start + 5000])
    last = state.history[-1]["change_at"] if state.history else None
    clock = {
        "seed": state.seed, "scale": state.scale, "history_start": state.history_start,
        "start_date": state.start_date, "clock_date": state.clock_date,
        "day_index": state.day_index, "next_ids": json.dumps(state.next_ids, sort_keys=True),
    }
    if state.created_at is None:
        stamp = last or datetime.combine(state.clock_date, datetime.min.time())
        conn.execute(schema.sim_clock.insert(),
                     {"clock_id": 1, **clock, "created_at": stamp, "updated_at": stamp})
    else:
        values = {**clock, **({"updated_at": last} if last else {})}
        conn.execute(schema.sim_clock.update().where(schema.sim_clock.c.clock_id == 1), values)


def _summary(state: State, url: URL, first_day: date, seconds: float) -> dict[str, Any]:
    kinds = {"insert": "inserted", "update": "updated", "soft_delete": "soft_deleted",
             "hard_delete": "hard_deleted"}
    counts: dict[str, Counter[str]] = {t.name: Counter() for t in schema.OPERATIONAL_TABLES}
    for h in state.history:
        counts[h["table_name"]][kinds[h["change_kind"]]] += 1
    return {
        "status": "done",
        "url": url.render_as_string(hide_password=True),
        "seed": state.seed,
        "scale": state.scale,
        "first_day": first_day,
        "last_day": state.clock_date - timedelta(days=1),
        "clock_date": state.clock_date,
        "seconds": round(seconds, 2),
        "changes": {t: {k: c[k] for k in kinds.values()} for t, c in counts.items()},
        "rows": {t: len(r) for t, r in state.rows.items()},
        "history_rows": len(state.history),
    }


def _drop_all(conn: Connection) -> None:
    schema.metadata.drop_all(conn, checkfirst=True)


# --------------------------------------------------------------------------- public API


def generate(url: str | None = None, scale: float = 1.0, days: int = 30, seed: int = DEFAULT_SEED,
             start_date: date = DEFAULT_START, force: bool = False) -> dict[str, Any]:
    """Create and fill the operational database (or report the dataset already there)."""
    if not (isinstance(scale, int | float) and math.isfinite(scale) and scale > 0):
        raise PmError(f"scale must be a positive number, got {scale!r}")
    if not isinstance(days, int) or days < 0:
        raise PmError(f"days must be a whole number >= 0, got {days!r}")
    if not isinstance(seed, int):
        raise PmError(f"seed must be an integer, got {seed!r}")
    parsed = _parse_url(url)
    engine = _engine(url, create=True)
    try:
        with engine.begin() as conn:
            clock = _read_clock(conn, lock=True)
            if clock is not None and not force:
                return {
                    "status": "reused", "url": parsed.render_as_string(hide_password=True),
                    "seed": clock["seed"], "scale": clock["scale"],
                    "clock_date": clock["clock_date"],
                }
            existing = [t.name for t in schema.OPERATIONAL_TABLES
                        if sa.inspect(conn).has_table(t.name)]
            if existing and not force:
                raise PmError(
                    f"the database already has tables {existing} but no simulator clock; "
                    "pass --force to drop and recreate them")
            if force:
                _drop_all(conn)
            schema.metadata.create_all(conn)
            started = time.perf_counter()
            state = _empty_state(seed, float(scale), start_date)
            for _ in range(RAMP_DAYS + days):
                _simulate_day(state)
            _flush(conn, state)
            return _summary(state, parsed, state.history_start, time.perf_counter() - started)
    finally:
        engine.dispose()


def simulate(url: str | None = None, days: int = 1) -> dict[str, Any]:
    """Advance an existing operational database by `days` simulated days."""
    if not isinstance(days, int) or days < 1:
        raise PmError(f"days must be a whole number >= 1, got {days!r}")
    parsed = _parse_url(url)
    engine = _engine(url, create=False)
    try:
        with engine.begin() as conn:
            clock = _read_clock(conn, lock=True)
            if clock is None:
                raise PmError(f"no generated dataset at {parsed.render_as_string()}; "
                              "run `generate pm` first")
            started = time.perf_counter()
            state = _load_state(conn, clock)
            first_day = state.clock_date
            for day in range(days):
                _simulate_day(state)
                progress(f"pm: simulated day {day + 1}/{days}")
            done_progress()
            _flush(conn, state)
            return _summary(state, parsed, first_day, time.perf_counter() - started)
    except sa.exc.OperationalError as exc:
        raise PmError(f"cannot open {parsed.render_as_string()}: {exc}") from exc
    finally:
        engine.dispose()


def _decode(table: sa.Table, data: Row) -> Row:
    out: Row = {}
    for column in table.columns:
        value = data[column.name]
        if value is not None:
            kind = column.type
            if isinstance(kind, sa.DateTime):
                value = datetime.fromisoformat(value)
            elif isinstance(kind, sa.Date):
                value = date.fromisoformat(value)
            elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
                value = Decimal(value)
            elif isinstance(kind, sa.Boolean):
                value = bool(value)
        out[column.name] = value
    return out


def _table(name: str) -> sa.Table:
    if name not in schema.TABLES:
        raise PmError(f"unknown table {name!r}; expected one of {sorted(schema.TABLES)}")
    return schema.TABLES[name]


def _pk_sort(table: sa.Table) -> Callable[[Row], tuple]:
    cols = schema.pk_columns(table)
    return lambda row: tuple(row[c] for c in cols)


def state_as_of(url: str | None, table: str, as_of: datetime) -> list[dict[str, Any]]:
    """The rows of `table` as they stood at `as_of`, rebuilt from `sim_history`."""
    t = _table(table)
    h = schema.sim_history
    engine = _engine(url, create=False)
    try:
        with engine.connect() as conn:
            result = conn.execute(
                sa.select(h.c.entity_id, h.c.row_json)
                .where(h.c.table_name == table, h.c.change_at <= as_of)
                .order_by(h.c.history_id)
            )
            latest: dict[str, str | None] = {}
            for entity_id, row_json in result:
                latest[entity_id] = row_json
    finally:
        engine.dispose()
    rows = [_decode(t, json.loads(j)) for j in latest.values() if j is not None]
    return sorted(rows, key=_pk_sort(t))


def live_rows(url: str | None, table: str) -> list[dict[str, Any]]:
    """The current rows of `table`, in primary-key order."""
    t = _table(table)
    engine = _engine(url, create=False)
    try:
        with engine.connect() as conn:
            pk = [t.c[c] for c in schema.pk_columns(t)]
            return [dict(r) for r in conn.execute(sa.select(t).order_by(*pk)).mappings()]
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- CLI


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from exc


def _positive_float(value: str) -> float:
    try:
        number = float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from exc
    if not math.isfinite(number) or number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number: {value!r}")
    return number


def _non_negative_int(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number >= 0: {value!r}")
    return int(value)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None,
                        help="SQLAlchemy URL of the operational database "
                             "(default: sqlite:///<WAREHOUSE_DATA_DIR>/ops/pm.sqlite)")
    parser.add_argument("--scale", type=_positive_float, default=1.0,
                        help="1 = ~50 clients, ~200 projects, ~5000 issues; fractions allowed")
    parser.add_argument("--days", type=_non_negative_int, default=30,
                        help="ordinary days simulated after the ramp-up (default 30)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start-date", type=_iso_date, default=DEFAULT_START,
                        help="first ordinary day (the ramp-up precedes it), default 2025-01-01")
    parser.add_argument("--force", action="store_true",
                        help="drop and recreate an existing generated dataset")


def add_simulate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None, help="SQLAlchemy URL of the operational database")
    parser.add_argument("--days", type=_non_negative_int, default=1,
                        help="simulated days to advance (default 1)")


def _report(summary: dict[str, Any]) -> None:
    if summary["status"] == "reused":
        print(f"{summary['url']} already holds a generated dataset (seed {summary['seed']}, "
              f"scale {summary['scale']}, clock at {summary['clock_date']}); "
              "nothing done (use --force to regenerate)")
        return
    print(f"{summary['url']}: simulated {summary['first_day']} .. {summary['last_day']} "
          f"in {summary['seconds']} s; clock now at {summary['clock_date']}")
    for table, c in summary["changes"].items():
        print(f"  {table:<20} rows {summary['rows'][table]:>7}  inserted {c['inserted']:>7}  "
              f"updated {c['updated']:>7}  soft-deleted {c['soft_deleted']:>5}  "
              f"hard-deleted {c['hard_deleted']:>5}")


def run(args: argparse.Namespace) -> int:
    try:
        summary = generate(args.url, scale=args.scale, days=args.days, seed=args.seed,
                           start_date=args.start_date, force=args.force)
    except (PmError, ConfigError) as exc:
        say(f"error: {exc}")
        return 2
    _report(summary)
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    try:
        summary = simulate(args.url, days=args.days)
    except (PmError, ConfigError) as exc:
        say(f"error: {exc}")
        return 2
    _report(summary)
    return 0
