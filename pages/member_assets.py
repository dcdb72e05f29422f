"""Member page: Assets — assets by site, upcoming services (overdue first), service records as PDF."""
import streamlit as st

from core import assets, pdf
from core.errors import PortalError
from core.formatting import table
from ui import context
from ui.member import date_range, row_pdf_download, site_filter
from ui.widgets import page_number, pager, plain, show_error

SORTS = {"site": "Site", "name": "Name", "ref": "Ref", "category": "Category", "installed": "Installed on"}

scope = context.member_scope()
engine = context.engine()

st.title("Assets")
st.caption(plain(scope.client_name))

with engine.connect() as conn:
    top = st.columns([2, 3])
    site_id = site_filter(scope, conn, key="as_site", container=top[0])
    search = top[1].text_input("Search asset, ref or service", key="as_search")
    tab_assets, tab_upcoming, tab_records = st.tabs(["Assets", "Upcoming services", "Service records"])

    try:
        with tab_assets:
            row = st.columns([2, 2, 2])
            categories = assets.category_options(scope, conn)
            category = row[0].selectbox("Category", ["", *categories], key="as_category",
                                        format_func=lambda c: c or "All categories")
            sort = row[1].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="as_sort")
            result = assets.list_assets(scope, conn, site_id=site_id, category=category, search=search, sort=sort,
                                        page=page_number("as_page"))
            if result.total == 0:
                st.info("No assets match these filters." if (site_id or category or search)
                        else "There are no assets for your organisation yet.")
            else:
                st.dataframe(
                    table(result.rows, {"site": "Site", "name": "Asset", "ref": "Ref", "category": "Category",
                                        "make": "Make", "model": "Model", "serial_number": "Serial number",
                                        "installed_on": "Installed on", "next_due_on": "Next service due"},
                          date_cols=["installed_on", "next_due_on"]),
                    hide_index=True, width="stretch",
                )
                pager(result, key="as_page")

        with tab_upcoming:
            days = st.number_input("Due within (days)", min_value=1, max_value=365, value=30, step=1, key="as_days")
            upcoming = assets.upcoming_services(scope, conn, days=int(days), site_id=site_id, search=search,
                                                page=page_number("as_up_page"))
            if upcoming.total == 0:
                st.info(f"No asset services are overdue or due in the next {int(days)} days.")
            else:
                st.dataframe(
                    table(upcoming.rows, {"state": "Status", "due_on": "Due", "service_type": "Service",
                                          "asset": "Asset", "asset_ref": "Asset ref", "site": "Site", "ref": "Ref"},
                          label_cols=["state"], date_cols=["due_on"]),
                    hide_index=True, width="stretch",
                )
                pager(upcoming, key="as_up_page")

        with tab_records:
            with st.container():
                date_from, date_to = date_range("Completed", key="as_done")
            records = assets.completed_services(scope, conn, site_id=site_id, date_from=date_from, date_to=date_to,
                                                search=search, page=page_number("as_rec_page"))
            if records.total == 0:
                st.info("No asset service records match these filters." if (site_id or search or date_from or date_to)
                        else "There are no completed asset services yet.")
            else:
                st.dataframe(
                    table(records.rows, {"completed_on": "Completed", "service_type": "Service", "asset": "Asset",
                                         "site": "Site", "result": "Result", "ref": "Ref", "job_ref": "Job"},
                          date_cols=["completed_on"]),
                    hide_index=True, width="stretch",
                )
                pager(records, key="as_rec_page")
                row_pdf_download(records.rows, choose_label="Service record", button_label="Download record",
                                 build=pdf.service_record_pdf, file_prefix="asset-service-record", key="as_rec")
    except PortalError as exc:
        show_error(exc)
