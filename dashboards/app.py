"""The dashboards site: `make dashboards` serves it on http://localhost:8501.

Streamlit runs this file for every page view: it lays out the navigation (registry.PAGES)
and runs the page asked for.
"""

from __future__ import annotations

import streamlit as st
from registry import PAGES

st.set_page_config(page_title="Warehouse dashboards", layout="wide")
sections: dict[str, list] = {}
for section, url_path, title in PAGES:
    sections.setdefault(section, []).append(
        st.Page(f"views/{url_path}.py", title=title, url_path=url_path)
    )
st.navigation(sections).run()
