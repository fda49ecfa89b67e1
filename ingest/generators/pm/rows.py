"""New rows (project types, clients, users, projects, services, issues) and the lifecycle of
issues and review cycles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ingest.generators.pm.pools import (
    CLIENT_WORDS,
    COMPONENTS,
    COUNTRIES,
    CYCLE_KINDS,
    FIRST_NAMES,
    INDUSTRIES,
    INDUSTRY_SUFFIXES,
    ISSUE_MOVES,
    ISSUE_TYPES,
    LAST_NAMES,
    OUTCOME_SCORES,
    OUTCOMES,
    OWNER_ROLES,
    PRIORITIES,
    PRIORITY_DUE_DAYS,
    PROBLEMS,
    PROJECT_KINDS,
    PROJECT_SUBJECTS,
    PROJECT_TYPES,
    ROLES,
    SERVICE_NAMES,
    TEAMS,
    TIER_BASE_PRICE,
    TIER_WEIGHTS,
    TIERS,
    Row,
)
from ingest.generators.pm.state import (
    Day,
    _active_user,
    _hard_delete,
    _insert,
    _live,
    _money,
    _new_id,
    _new_row,
    _pick,
    _soft_delete,
    _tick,
    _update,
    _weighted,
)

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
