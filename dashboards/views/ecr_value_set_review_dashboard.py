"""TES value set review: condition grouper versions, their references and their codes."""

import streamlit as st
from common import count, guard, header, headlines, query, related, schema

ECR = schema("tes")


def render() -> None:
    header(
        "TES value set review",
        "ecr_value_set_review_dashboard",
        "For value-set curators: condition grouper versions side by side, the reporting-spec "
        "groupers they reference, their codes, and the references that do not resolve.",
    )
    totals = query(f"""
        select
            (select count(*) from {ECR}.tes_condition_groupers) as condition_groupers,
            (select count(*) from {ECR}.tes_reporting_spec_groupers) as reporting_spec_groupers,
            (select count(*) from {ECR}.tes_condition_grouper_codes) as grouper_codes,
            (select count(*) from {ECR}.tes_unresolved_references) as unresolved_references
    """).iloc[0]
    headlines(
        ("Condition grouper versions", count(totals.condition_groupers)),
        ("Reporting-spec groupers", count(totals.reporting_spec_groupers)),
        ("Grouper codes", count(totals.grouper_codes)),
        ("Unresolved references", count(totals.unresolved_references)),
    )

    st.subheader("Codes per condition grouper version, by code system")
    codes = query(f"""
        select groupers.display_name || ' v' || groupers.version as grouper_version,
            codes.code_system, count(*) as codes
        from {ECR}.tes_condition_grouper_codes as codes
        inner join {ECR}.tes_condition_groupers as groupers
            on codes.canonical_url = groupers.canonical_url
            and codes.version = groupers.version
        group by groupers.display_name, groupers.version, codes.code_system
        order by 1, 2
    """)
    st.bar_chart(codes, x="grouper_version", y="codes", color="code_system", horizontal=True)

    st.subheader("Condition grouper versions side by side")
    st.dataframe(query(f"""
        select display_name, version, status, published_date, reference_count,
            child_grouper_count, unresolved_reference_count, code_count
        from {ECR}.tes_condition_groupers
        order by display_name, version
    """), hide_index=True, width="stretch")

    st.subheader("References that do not resolve")
    st.dataframe(query(f"""
        select parent_grouper_url, parent_grouper_version, reference, reason
        from {ECR}.tes_unresolved_references
        order by parent_grouper_url, reference
    """), hide_index=True, width="stretch")
    related(("ecr_jurisdiction_configuration_status", "Jurisdiction configuration status"),)


guard(render)
