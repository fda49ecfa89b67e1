"""ACA claims operations: daily volume and amounts, status mix, providers and counties."""

import streamlit as st
from common import count, guard, header, headlines, pct, query, related, schema, usd

ACA = schema("aca")
LAST_30_DAYS = f"""
    service_date > (select max(service_date) from {ACA}.agg_claims_daily_plan_provider)
        - 30
"""


def render() -> None:
    header(
        "ACA claims operations",
        "aca_claims_operations_dashboard",
        "For claims operations: daily claim volume and amounts by plan and provider, the "
        "claim status mix, and claims by the member's county at the time of service.",
    )
    totals = query(f"""
        select
            sum(claim_line_count) as claim_lines,
            sum(claim_count) as claims,
            sum(billed_amount_usd) as billed_usd,
            sum(paid_amount_usd) as paid_usd,
            sum(denied_line_count) * 1.0 / nullif(sum(claim_line_count), 0) as denial_rate
        from {ACA}.agg_claims_daily_plan_provider
        where {LAST_30_DAYS}
    """).iloc[0]
    st.subheader("Last 30 days of service")
    headlines(
        ("Claim lines", count(totals.claim_lines)),
        ("Billed", usd(totals.billed_usd)),
        ("Paid", usd(totals.paid_usd)),
        ("Denied lines", pct(totals.denial_rate)),
    )

    st.subheader("Claim lines per day")
    daily = query(f"""
        select service_date, sum(claim_line_count) as claim_lines,
            sum(allowed_amount_usd) as allowed_usd
        from {ACA}.agg_claims_daily_plan_provider
        group by service_date
        order by service_date
    """)
    st.line_chart(daily, x="service_date", y="claim_lines")

    left, right = st.columns(2)
    with left:
        st.subheader("Status mix")
        status = query(f"""
            select claim_status, count(*) as claim_lines
            from {ACA}.fct_claim_lines
            group by claim_status
            order by claim_lines desc
        """)
        st.bar_chart(status, x="claim_status", y="claim_lines")
    with right:
        st.subheader("Counties (member's county at service)")
        counties = query(f"""
            select geography.state_code || ' ' || geography.county_name as county,
                count(*) as claim_lines, sum(lines.allowed_amount_usd) as allowed_usd
            from {ACA}.fct_claim_lines as lines
            inner join {ACA}.dim_geography as geography
                on lines.geography_sk = geography.geography_sk
            group by geography.state_code, geography.county_name
            order by claim_lines desc
            limit 15
        """)
        st.bar_chart(counties, x="county", y="claim_lines", horizontal=True)

    st.subheader("Providers by allowed amount, last 30 days")
    st.dataframe(query(f"""
        select providers.provider_name, providers.specialty, sum(daily.claim_count) as claims,
            sum(daily.allowed_amount_usd) as allowed_usd,
            sum(daily.paid_amount_usd) as paid_usd
        from {ACA}.agg_claims_daily_plan_provider as daily
        inner join {ACA}.dim_provider as providers on daily.provider_npi = providers.npi
        where {LAST_30_DAYS}
        group by providers.provider_name, providers.specialty
        order by allowed_usd desc
        limit 20
    """), hide_index=True, width="stretch")
    related(("aca_plan_performance_dashboard", "ACA plan performance"),
            ("warehouse_operations_dashboard", "Warehouse operations"))


guard(render)
