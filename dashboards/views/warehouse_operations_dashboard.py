"""Warehouse operations: the last run's failures, tests newly failing, freshness, rejects."""

import streamlit as st
from common import count, guard, header, headlines, query, related

CTL = "ctl"


def render() -> None:
    header(
        "Warehouse operations",
        "warehouse_operations_dashboard",
        "For the platform on call: the last run's failures, tests newly failing, source "
        "freshness and watermarks, files loaded and rows rejected by reason.",
    )
    totals = query(f"""
        select
            (select count(*) from {CTL}.ctl_last_run_failures) as last_run_failures,
            (select count(*) from {CTL}.ctl_tests_newly_failing) as tests_newly_failing,
            (select count(*) from {CTL}.rejects) as rejected_rows,
            (select count(*) from {CTL}.loaded_files) as loaded_files
    """).iloc[0]
    headlines(
        ("Failures in the last run", count(totals.last_run_failures)),
        ("Tests newly failing", count(totals.tests_newly_failing)),
        ("Rows rejected", count(totals.rejected_rows)),
        ("Files loaded", count(totals.loaded_files)),
    )

    failures = query(f"""
        select run_kind, failed_object, failure_kind, status, failing_rows, message, failed_at
        from {CTL}.ctl_last_run_failures
        order by failed_at desc
    """)
    if failures.empty:
        st.success("The last run had no failure.")
    else:
        st.subheader("The last run's failures")
        st.dataframe(failures, hide_index=True, width="stretch")

    st.subheader("Ingest runs per day")
    runs = query(f"""
        select cast(started_at as date) as run_date, status, count(*) as runs
        from {CTL}.etl_audit_log
        group by cast(started_at as date), status
        order by run_date, status
    """)
    st.bar_chart(runs, x="run_date", y="runs", color="status")

    left, right = st.columns(2)
    with left:
        st.subheader("Rows rejected by reason")
        rejects = query(f"""
            select domain, reject_reason, count(*) as rejected_rows
            from {CTL}.rejects
            group by domain, reject_reason
            order by rejected_rows desc
        """)
        if rejects.empty:
            st.success("No row rejected.")
        else:
            st.bar_chart(rejects, x="reject_reason", y="rejected_rows", color="domain",
                         horizontal=True)
    with right:
        st.subheader("Source freshness")
        st.dataframe(query(f"""
            select source_name, source_table, last_status, last_loaded_at, hours_since_load,
                failed_runs, runs
            from {CTL}.ctl_source_freshness
            order by source_name, source_table
        """), hide_index=True, width="stretch")

    st.subheader("Tests newly failing")
    st.dataframe(query(f"""
        select test_name, model, column_name, severity, failing_rows, failing_since
        from {CTL}.ctl_tests_newly_failing
        order by failing_since desc
    """), hide_index=True, width="stretch")

    st.subheader("Watermarks of incremental sources")
    st.dataframe(query(f"""
        select marks.domain, marks.table_name, marks.cursor_column, marks.previous_value,
            marks.last_value, marks.rows_read, marks.loaded_at
        from {CTL}.source_watermarks as marks
        where marks.loaded_at = (
            select max(latest.loaded_at) from {CTL}.source_watermarks as latest
            where latest.domain = marks.domain and latest.table_name = marks.table_name
        )
        order by marks.domain, marks.table_name
    """), hide_index=True, width="stretch")
    related(("benchmarks", "Benchmarks"),
            ("aca_claims_operations_dashboard", "ACA claims operations"))


guard(render)
