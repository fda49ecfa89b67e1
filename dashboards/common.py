"""What every dashboard page shares: the warehouse, cached queries, number formats, links.

The pages read the marts of the warehouse WAREHOUSE_TARGET names (DuckDB by default, opened
read-only; `WAREHOUSE_TARGET=pg` reads PostgreSQL), through the project's own connection
settings (ingest.config). Every query is plain SQL that both engines run unchanged.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from ingest import config, domains, warehouse  # noqa: E402

# Query results are kept this long; a nightly build shows up at most this late.
CACHE_SECONDS = 300


class WarehouseBusy(RuntimeError):
    """The DuckDB file is being written (a load or build holds its lock)."""


def schema(domain: str) -> str:
    """The mart schema of a registered domain (`ctl` for the control schema)."""
    return "ctl" if domain == "ctl" else domains.get(domain).mart_schema


@st.cache_data(ttl=CACHE_SECONDS, show_spinner=False)
def query(sql: str) -> pd.DataFrame:
    """Run one query against the warehouse; the result as a DataFrame of plain Python values."""
    try:
        with warehouse.connect(read_only=True) as con:
            cur = con.cursor()
            cur.execute(sql)
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
            cur.close()
    except Exception as exc:
        if "lock" in str(exc).lower():
            raise WarehouseBusy(str(exc)) from exc
        raise
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for column in frame.columns:  # Decimal (numeric) columns chart and format as floats
        if frame[column].map(lambda v: isinstance(v, Decimal)).any():
            frame[column] = frame[column].astype(float)
    return frame


def value(sql: str):
    """The single value of a one-row, one-column query (None when the query returns no row)."""
    frame = query(sql)
    return None if frame.empty else frame.iloc[0, 0]


def header(title: str, exposure: str, purpose: str) -> None:
    """Page title, what it is for, and which warehouse it reads."""
    st.title(title)
    st.caption(f"{purpose}  \nExposure `{exposure}` · reading {config.target().describe()}")


def usd(amount) -> str:
    return "–" if amount is None or pd.isna(amount) else f"${float(amount):,.2f}"


def count(n) -> str:
    return "–" if n is None or pd.isna(n) else f"{int(n):,}"


def pct(share) -> str:
    """A share between 0 and 1, as a percentage with one decimal."""
    return "–" if share is None or pd.isna(share) else f"{100 * float(share):.1f}%"


def headlines(*figures: tuple[str, str]) -> None:
    """The page's headline numbers side by side: (label, formatted value) pairs."""
    for column, (label, shown) in zip(st.columns(len(figures)), figures, strict=True):
        column.metric(label, shown)


def related(*pages: tuple[str, str]) -> None:
    """Links to the pages that continue this one: (url_path, label) pairs."""
    st.divider()
    st.caption("Related pages")
    for url_path, label in pages:
        st.page_link(f"views/{url_path}.py", label=label)


def guard(render) -> None:
    """Render a page; a warehouse that is being written gets a message, not a stack trace."""
    try:
        render()
    except WarehouseBusy:
        st.warning(
            "The warehouse is being written by a load or build right now (DuckDB allows one "
            "writer and no reader meanwhile). Reload the page when it has finished."
        )
