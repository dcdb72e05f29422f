"""Member page: Completed jobs, newest first, with each job's documents as PDFs or one ZIP."""
import streamlit as st

from core import jobs
from core.errors import PortalError
from core.formatting import table
from ui import context
from ui.member import date_range, job_documents, site_filter
from ui.widgets import page_number, pager, plain, show_error

scope = context.member_scope()
engine = context.engine()

st.title("Completed jobs")
st.caption(plain(scope.client_name))

with engine.connect() as conn:
    top = st.columns([2, 3, 3])
    site_id = site_filter(scope, conn, key="cj_site", container=top[0])
    search = top[1].text_input("Search ref or title", key="cj_search")
    with top[2]:
        date_from, date_to = date_range("Completed", key="cj_completed")
    try:
        result = jobs.list_completed(scope, conn, site_id=site_id, date_from=date_from, date_to=date_to,
                                     search=search, page=page_number("cj_page"))
    except PortalError as exc:
        show_error(exc)
        st.stop()

    if result.total == 0:
        filtered = site_id is not None or search or date_from or date_to
        st.info("No completed jobs match these filters." if filtered else "There are no completed jobs yet.")
        st.stop()

    st.dataframe(
        table(result.rows, {"ref": "Ref", "title": "Title", "site": "Site", "technician": "Technician",
                            "completed_at": "Completed at"}, datetime_cols=["completed_at"]),
        hide_index=True, width="stretch",
    )
    pager(result, key="cj_page")

    st.subheader("Documents")
    shown = {int(i): (ref, title) for i, ref, title in zip(result.rows["id"], result.rows["ref"], result.rows["title"])}
    chosen = st.selectbox("Job", list(shown), format_func=lambda i: " · ".join(shown[i]), key="cj_doc_job")
    job_documents(scope, conn, chosen, shown[chosen][0], key="cj_docs")
