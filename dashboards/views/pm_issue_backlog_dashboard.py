"""Issue backlog over time: the open backlog by day, priority and age, and review issues."""

import streamlit as st
from common import count, guard, header, headlines, query, related, schema

PM = schema("pm")


def render() -> None:
    header(
        "Issue backlog over time",
        "pm_issue_backlog_dashboard",
        "For team leads: the open backlog by day, priority and age band, and the issues that "
        "service reviews raised.",
    )
    today = query(f"""
        select sum(open_issues) as open_issues, sum(overdue_issues) as overdue_issues,
            max(max_age_days) as oldest_days, max(snapshot_date) as snapshot_date
        from {PM}.mart_pm__issue_backlog
        where is_latest_day
    """).iloc[0]
    headlines(
        ("Open issues today", count(today.open_issues)),
        ("Overdue", count(today.overdue_issues)),
        ("Oldest open issue (days)", count(today.oldest_days)),
    )

    st.subheader("Open backlog per day by priority")
    trend = query(f"""
        select snapshot_date, priority, sum(open_issues) as open_issues
        from {PM}.mart_pm__issue_backlog
        group by snapshot_date, priority
        order by snapshot_date, priority
    """)
    st.area_chart(trend, x="snapshot_date", y="open_issues", color="priority")

    left, right = st.columns(2)
    with left:
        st.subheader("Open issues by age band today")
        ages = query(f"""
            select case
                    when age_days < 7 then '1: under a week'
                    when age_days < 30 then '2: under a month'
                    when age_days < 90 then '3: under a quarter'
                    else '4: a quarter or more'
                end as age_band,
                count(*) as open_issues
            from {PM}.fct_issue_daily_snapshot
            where snapshot_date = (select max(snapshot_date) from {PM}.fct_issue_daily_snapshot)
            group by 1
            order by 1
        """)
        st.bar_chart(ages, x="age_band", y="open_issues")
    with right:
        st.subheader("Issues raised by service reviews")
        st.dataframe(query(f"""
            select link_type, count(distinct issue_id) as issues,
                count(distinct service_review_id) as reviews
            from {PM}.brg_issue_review
            group by link_type
            order by issues desc
        """), hide_index=True, width="stretch")
    related(("pm_portfolio_health_dashboard", "Project portfolio health"),
            ("pm_service_delivery_dashboard", "Service delivery"))


guard(render)
