"""Jurisdiction configuration status: active configurations, their groupers, extra codes."""

import streamlit as st
from common import count, guard, header, headlines, query, related, schema

ECR = schema("tes")


def render() -> None:
    header(
        "Jurisdiction configuration status",
        "ecr_jurisdiction_configuration_status",
        "For jurisdiction onboarding: which jurisdictions have active configurations, which "
        "groupers each activates and the extra codes it adds.",
    )
    totals = query(f"""
        select
            (select count(*) from {ECR}.jurisdictions) as jurisdictions,
            (select count(distinct jurisdiction_id) from {ECR}.configurations
                where is_active) as jurisdictions_active,
            (select count(distinct configuration_id) from {ECR}.configurations
                where is_active) as active_configurations,
            (select count(*) from {ECR}.configuration_codes) as extra_codes
    """).iloc[0]
    headlines(
        ("Jurisdictions", count(totals.jurisdictions)),
        ("With an active configuration", count(totals.jurisdictions_active)),
        ("Active configurations", count(totals.active_configurations)),
        ("Extra codes", count(totals.extra_codes)),
    )

    st.subheader("Groupers activated per jurisdiction")
    per_jurisdiction = query(f"""
        select jurisdictions.jurisdiction_name,
            count(distinct configurations.included_grouper_url) as groupers
        from {ECR}.jurisdictions as jurisdictions
        left join {ECR}.configurations as configurations
            on jurisdictions.jurisdiction_id = configurations.jurisdiction_id
            and configurations.is_active
        group by jurisdictions.jurisdiction_name
        order by jurisdictions.jurisdiction_name
    """)
    st.bar_chart(per_jurisdiction, x="jurisdiction_name", y="groupers")

    st.subheader("Configurations")
    st.dataframe(query(f"""
        select jurisdiction_id, configuration_name, configuration_version, is_active,
            named_in, included_grouper_url, included_grouper_version, resolution_status,
            extra_code_count
        from {ECR}.configurations
        order by jurisdiction_id, configuration_name, named_in
    """), hide_index=True, width="stretch")

    st.subheader("Extra codes the configurations add")
    st.dataframe(query(f"""
        select configuration_id, configuration_version, listed_in, code_system, code, display
        from {ECR}.configuration_codes
        order by configuration_id, code_system, code
    """), hide_index=True, width="stretch")
    related(("ecr_value_set_review_dashboard", "TES value set review"),)


guard(render)
