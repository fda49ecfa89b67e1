"""ACA plan performance: cost per member per month by plan and metal tier, rolling claims,
paid PMPM by state (from the datacube) and the medical loss ratio per issuer."""

import streamlit as st
from common import count, guard, header, headlines, query, related, schema, usd, value

ACA = schema("aca")


def render() -> None:
    header(
        "ACA plan performance",
        "aca_plan_performance_dashboard",
        "For plan managers: allowed and paid cost per member per month (PMPM) by plan and "
        "metal tier, rolling 30-day claims and year-over-year change per plan, the medical "
        "loss ratio per issuer.",
    )
    month = value(f"select max(month_start_date) from {ACA}.mart_plan_pmpm")
    if month is None:
        st.info("No member months built yet: run `make demo` (or the nightly) first.")
        return
    latest = query(f"""
        select
            sum(member_months) as member_months,
            sum(allowed_amount_usd) / nullif(sum(member_months), 0) as allowed_pmpm_usd,
            sum(paid_amount_usd) / nullif(sum(member_months), 0) as paid_pmpm_usd,
            count(distinct plan_id) as plans
        from {ACA}.mart_plan_pmpm
        where month_start_date = (select max(month_start_date) from {ACA}.mart_plan_pmpm)
    """).iloc[0]
    st.subheader(f"Latest month: {month:%B %Y}")
    headlines(
        ("Allowed PMPM", usd(latest.allowed_pmpm_usd)),
        ("Paid PMPM", usd(latest.paid_pmpm_usd)),
        ("Member months", count(latest.member_months)),
        ("Plans", count(latest.plans)),
    )

    st.subheader("Allowed PMPM by metal tier")
    by_tier = query(f"""
        select
            month_start_date,
            metal_tier,
            sum(allowed_amount_usd) / nullif(sum(member_months), 0) as allowed_pmpm_usd
        from {ACA}.mart_plan_pmpm
        group by month_start_date, metal_tier
        order by month_start_date, metal_tier
    """)
    st.line_chart(by_tier, x="month_start_date", y="allowed_pmpm_usd", color="metal_tier")

    st.subheader("Plans in the latest month")
    st.dataframe(query(f"""
        select plan_name, metal_tier, member_months, allowed_pmpm_usd, paid_pmpm_usd,
            premium_usd
        from {ACA}.mart_plan_pmpm
        where month_start_date = (select max(month_start_date) from {ACA}.mart_plan_pmpm)
        order by allowed_pmpm_usd desc
    """), hide_index=True, width="stretch")

    st.subheader("Rolling 30 days per plan, against the same 30 days a year earlier")
    st.dataframe(query(f"""
        select
            plans.plan_name,
            performance.date_day,
            performance.claim_count_30d,
            performance.allowed_amount_usd_30d,
            performance.allowed_amount_usd_30d_prior_year,
            performance.allowed_amount_yoy_change_pct
        from {ACA}.agg_plan_performance as performance
        inner join {ACA}.dim_plan as plans
            on performance.plan_id = plans.plan_id and plans.is_current
        where performance.date_day = (select max(date_day) from {ACA}.agg_plan_performance)
        order by performance.allowed_amount_usd_30d desc
    """), hide_index=True, width="stretch")
    st.subheader("Paid PMPM by metal tier and the member's state")
    # the datacube's cells of one metal tier and one state, every month, plan, rating area,
    # county and specialty rolled up
    st.dataframe(query(f"""
        select metal_tier, state_code, member_months, paid_amount_usd, paid_pmpm_usd
        from {ACA}.mart_claims_cube
        where grouping_month_start_date = 1 and grouping_metal_tier = 0
            and grouping_plan_id = 1 and grouping_state_code = 0
            and grouping_rating_area_name = 1 and grouping_provider_specialty = 1
        order by metal_tier, state_code
    """), hide_index=True, width="stretch")

    st.subheader("Medical loss ratio per issuer (individual market minimum: 80 %)")
    st.dataframe(query(f"""
        select plan_year, issuer_name, state_code, premium_usd, paid_amount_usd,
            medical_loss_ratio, meets_mlr_threshold, mlr_rebate_shortfall_usd
        from {ACA}.mart_medical_loss_ratio
        order by plan_year desc, medical_loss_ratio
    """), hide_index=True, width="stretch")
    related(("aca_claims_operations_dashboard", "ACA claims operations"),
            ("warehouse_operations_dashboard", "Warehouse operations"))


guard(render)
