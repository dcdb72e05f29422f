"""Member page: Job status — all the client's jobs by status, Export CSV, documents of completed jobs."""
import streamlit as st

from core import jobs
from core.errors import PortalError
from core.formatting import label, table
from ui import context
from ui.member import date_range, job_documents, lazy_download, site_filter
from ui.widgets import page_number, pager, plain, show_error

SORTS = {"created": "Created", "ref": "Ref", "title": "Title", "status": "Status", "site": "Site",
         "scheduled": "Scheduled for", "completed": "Completed at"}

scope = context.member_scope()
engine = context.engine()

st.title("Job status")
st.caption(plain(scope.client_name))

with engine.connect() as conn:
    top = st.columns([2, 2, 3])
    status = top[0].selectbox("Status", ["", *jobs.STATUS_CHOICES], key="js_status",
                              format_func=lambda s: label(s) or "All statuses")
    site_id = site_filter(scope, conn, key="js_site", container=top[1])
    search = top[2].text_input("Search ref or title", key="js_search")
    row = st.columns([3, 2, 2])
    with row[0]:
        date_from, date_to = date_range("Created", key="js_created")
    sort = row[1].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="js_sort")
    descending = row[2].selectbox("Order", [True, False], key="js_desc",
                                  format_func=lambda d: "Newest / Z–A first" if d else "Oldest / A–Z first")
    filters = dict(status=status, site_id=site_id, date_from=date_from, date_to=date_to, search=search,
                   sort=sort, descending=descending)
    try:
        result = jobs.list_jobs(scope, conn, **filters, page=page_number("js_page"))
    except PortalError as exc:
        show_error(exc)
        st.stop()

    if result.total == 0:
        filtered = any(v for k, v in filters.items() if k not in ("sort", "descending"))
        st.info("No jobs match these filters." if filtered else "There are no jobs for your organisation yet.")
        st.stop()

    lazy_download("Export CSV", lambda s, c: jobs.job_status_csv(s, c, **filters), file_name="job-status.csv",
                  mime="text/csv", key="js_export", icon=":material/download:")
    st.dataframe(
        table(result.rows, {"ref": "Ref", "title": "Title", "site": "Site", "status": "Status",
                            "technician": "Technician", "scheduled_for": "Scheduled for",
                            "completed_at": "Completed at", "created_at": "Created"},
                  label_cols=["status"], datetime_cols=["scheduled_for", "completed_at", "created_at"]),
        hide_index=True, width="stretch",
    )
    pager(result, key="js_page")

    st.subheader("Documents of a completed job")
    refs = {int(i): ref for i, ref, s in zip(result.rows["id"], result.rows["ref"], result.rows["status"])
            if s == "completed"}
    if not refs:
        st.caption("Documents can be downloaded once a job is completed; none of the jobs shown is.")
    else:
        chosen = st.selectbox("Completed job", list(refs), format_func=refs.get, key="js_doc_job")
        job_documents(scope, conn, chosen, refs[chosen], key="js_docs")
