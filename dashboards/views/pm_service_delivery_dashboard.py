"""Service delivery: reviews held on time and late per service and month, review slip."""

import streamlit as st
from common import count, guard, header, headlines, pct, query, related, schema, usd

PM = schema("pm")


def render() -> None:
    header(
        "Service delivery",
        "pm_service_delivery_dashboard",
        "For service managers and client reviews: reviews held on time and late per service "
        "and month, and how far review cycles slip against plan.",
    )
    totals = query(f"""
        select
            sum(reviews_on_time) * 1.0 / nullif(sum(reviews_held), 0) as on_time_rate,
            sum(reviews_held) as reviews_held,
            sum(reviews_late) as reviews_late,
            sum(revenue_usd) as revenue_usd
        from {PM}.mart_pm__service_delivery
    """).iloc[0]
    headlines(
        ("Reviews on time", pct(totals.on_time_rate)),
        ("Reviews held", count(totals.reviews_held)),
        ("Reviews late", count(totals.reviews_late)),
        ("Service revenue", usd(totals.revenue_usd)),
    )

    left, right = st.columns(2)
    with left:
        st.subheader("On-time rate per month")
        monthly = query(f"""
            select month_start_date,
                sum(reviews_on_time) * 100.0 / nullif(sum(reviews_held), 0) as on_time_pct
            from {PM}.mart_pm__service_delivery
            group by month_start_date
            order by month_start_date
        """)
        st.line_chart(monthly, x="month_start_date", y="on_time_pct")
    with right:
        st.subheader("Slip of held reviews against their first plan (days)")
        slips = query(f"""
            select slip_days, count(*) as review_cycles
            from {PM}.fct_review_cycles
            where is_held
            group by slip_days
            order by slip_days
        """)
        st.bar_chart(slips, x="slip_days", y="review_cycles")

    st.subheader("Per service and client")
    st.dataframe(query(f"""
        select client_name, service_name, service_tier, sum(reviews_held) as reviews_held,
            sum(reviews_on_time) as reviews_on_time, sum(reviews_late) as reviews_late,
            sum(issues_raised) as issues_raised, sum(revenue_usd) as revenue_usd
        from {PM}.mart_pm__service_delivery
        group by client_name, service_name, service_tier
        order by reviews_late desc, client_name, service_name
    """), hide_index=True, width="stretch")
    related(("pm_portfolio_health_dashboard", "Project portfolio health"),
            ("pm_issue_backlog_dashboard", "Issue backlog over time"))


guard(render)
