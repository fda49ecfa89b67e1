"""Project portfolio health: every current project's health today, and the monthly trend."""

import streamlit as st
from common import count, guard, header, headlines, query, related, schema

PM = schema("pm")
HEALTH_ORDER = {"red": 0, "amber": 1, "green": 2}


def render() -> None:
    header(
        "Project portfolio health",
        "pm_portfolio_health_dashboard",
        "For delivery leads: every current project's health today (red, amber, green), its "
        "open and overdue issues, issues closed this month and overdue review cycles.",
    )
    projects = query(f"""
        select project_name, client_name, owner_name, health_status, open_issues,
            open_critical_issues, overdue_open_issues, issues_opened_this_month,
            issues_closed_this_month, overdue_reviews, target_end_date, as_of_date
        from {PM}.mart_pm__project_health
    """)
    if projects.empty:
        st.info("No projects built yet: run `make demo` (or the nightly) first.")
        return
    st.subheader(f"As of {projects.as_of_date.max():%d %B %Y}")
    headlines(
        ("Projects in red", count((projects.health_status == "red").sum())),
        ("Projects", count(len(projects))),
        ("Open issues", count(projects.open_issues.sum())),
        ("Overdue reviews", count(projects.overdue_reviews.sum())),
    )

    left, right = st.columns([1, 2])
    with left:
        st.subheader("Health")
        health = projects.groupby("health_status", as_index=False).size()
        st.bar_chart(health, x="health_status", y="size")
    with right:
        st.subheader("Issues opened and closed per month")
        monthly = query(f"""
            select month_start_date, sum(issues_opened) as opened, sum(issues_closed) as closed
            from {PM}.fct_project_kpi_monthly
            group by month_start_date
            order by month_start_date
        """)
        st.line_chart(monthly, x="month_start_date", y=["opened", "closed"])

    st.subheader("Projects, worst first")
    ordered = projects.assign(order=projects.health_status.map(HEALTH_ORDER)).sort_values(
        ["order", "open_critical_issues", "overdue_open_issues"], ascending=[True, False, False]
    )
    st.dataframe(ordered.drop(columns=["order", "as_of_date"]), hide_index=True,
                 width="stretch")
    related(("pm_issue_backlog_dashboard", "Issue backlog over time"),
            ("pm_service_delivery_dashboard", "Service delivery"))


guard(render)
