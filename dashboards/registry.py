"""The dashboard pages: one per dashboard exposure of the dbt project, plus benchmarks.

Each page is `views/<url path>.py`; a dashboard exposure's url path is its own name, and its
`url` in the dbt project points at the page (tests/python/test_dashboards.py checks both).
"""

from __future__ import annotations

# (section, url path = file name in views/, title); the url path is the exposure's name
PAGES = (
    ("ACA health insurance", "aca_plan_performance_dashboard", "Plan performance"),
    ("ACA health insurance", "aca_claims_operations_dashboard", "Claims operations"),
    ("Project management", "pm_portfolio_health_dashboard", "Portfolio health"),
    ("Project management", "pm_service_delivery_dashboard", "Service delivery"),
    ("Project management", "pm_issue_backlog_dashboard", "Issue backlog"),
    ("Clinical", "clinical_service_requests_dashboard", "Service requests by NCIt concept"),
    ("eCR Refiner", "ecr_value_set_review_dashboard", "TES value set review"),
    ("eCR Refiner", "ecr_jurisdiction_configuration_status", "Jurisdiction configurations"),
    ("Operations", "warehouse_operations_dashboard", "Warehouse operations"),
    ("Operations", "benchmarks", "Benchmarks"),
)
