"""Clinical service requests by month and NCIt concept, by code system, and what maps."""

import streamlit as st
from common import count, guard, header, headlines, pct, query, related, schema

CLINICAL = schema("clinical")


def render() -> None:
    header(
        "Clinical service requests by NCIt concept",
        "clinical_service_requests_dashboard",
        "For clinical research operations (restricted: patient-level data): service requests "
        "by month and NCIt concept, by code system, with the share that maps.",
    )
    totals = query(f"""
        select
            count(distinct service_request_id) as service_requests,
            count(distinct patient_id) as patients,
            count(case when mapping_state = 'auto_mapped' then 1 end) * 1.0
                / nullif(count(*), 0) as auto_mapped_share,
            count(case when mapping_state = 'no_match' then 1 end) * 1.0
                / nullif(count(*), 0) as no_match_share
        from {CLINICAL}.fct_service_request
    """).iloc[0]
    headlines(
        ("Service requests", count(totals.service_requests)),
        ("Patients", count(totals.patients)),
        ("Codes auto-mapped", pct(totals.auto_mapped_share)),
        ("Codes with no NCIt match", pct(totals.no_match_share)),
    )

    st.subheader("Service requests per month by NCIt concept")
    monthly = query(f"""
        select
            cast({month_start('requests.ordered_at')} as date) as month_start_date,
            coalesce(concepts.preferred_name, 'not mapped') as ncit_concept,
            count(distinct requests.service_request_id) as service_requests
        from {CLINICAL}.fct_service_request as requests
        left join {CLINICAL}.dim_ncit as concepts
            on requests.ncit_sk = concepts.ncit_sk and not concepts.is_sentinel
        where requests.ordered_at is not null
        group by 1, 2
        order by 1, 2
    """)
    st.bar_chart(monthly, x="month_start_date", y="service_requests", color="ncit_concept")

    st.subheader("Mapping by code system")
    st.dataframe(query(f"""
        select
            codes.code_system_name,
            count(*) as codes,
            count(case when requests.mapping_state = 'auto_mapped' then 1 end) as auto_mapped,
            count(case when requests.mapping_state = 'needs_review' then 1 end) as needs_review,
            count(case when requests.mapping_state = 'no_match' then 1 end) as no_match
        from {CLINICAL}.fct_service_request as requests
        inner join {CLINICAL}.dim_code as codes on requests.code_sk = codes.code_sk
        group by codes.code_system_name
        order by codes desc
    """), hide_index=True, width="stretch")
    related(("warehouse_operations_dashboard", "Warehouse operations (rejected requests)"),)


def month_start(column: str) -> str:
    """The first day of a timestamp's month, in SQL both engines run."""
    return f"date_trunc('month', {column})"


guard(render)
