"""The simulated company's vocabulary and rates: names, industries, project types, tiers,
issue kinds, and how often each kind of change happens a day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

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
