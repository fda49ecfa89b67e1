"""One simulated day: how many of each change it makes (growth, then the weighted change
actions), planned and applied with a random generator seeded by (seed, day index)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ingest.generators.pm.pools import (
    FIRST_DAY_SHARE,
    INDUSTRIES,
    INITIAL_PROJECT_TYPES,
    ISSUE_MOVE_P,
    ISSUE_REASSIGN_P,
    ISSUE_REPRIORITIZE_P,
    MINIMUM,
    OPEN_PROJECT_STATUSES,
    RAMP_DAYS,
    ROLES,
    TARGETS,
    TEAMS,
    TIER_BASE_PRICE,
    TIERS,
    WORK_START,
    WORK_WINDOW_SECONDS,
    Row,
)
from ingest.generators.pm.rows import (
    _client_name,
    _close_cycle,
    _hard_delete_issue,
    _hard_delete_link,
    _move_issue,
    _new_client,
    _new_issue,
    _new_project,
    _new_project_type,
    _new_service,
    _new_user,
    _project_name,
    _reassign_issue,
    _reprioritize_issue,
    _reschedule_cycle,
    _schedule_cycle,
    _soft_delete_issue,
)
from ingest.generators.pm.state import (
    Day,
    State,
    _active_user,
    _count,
    _hard_delete,
    _live,
    _money,
    _rate,
    _soft_delete,
    _update,
    _weighted,
)

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
