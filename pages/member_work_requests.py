"""Member page: Work requests — submit one, and see the client's requests and their status."""
import datetime as dt

import streamlit as st

from core import work_requests
from core.db import today
from core.errors import PortalError
from ui import context
from ui.widgets import page_number, pager, plain, show_error

scope = context.member_scope()
engine = context.engine()
state = st.session_state

SUBJECT, SITE, NOTES, DATE, TIME = "wr_subject", "wr_site", "wr_notes", "wr_date", "wr_time"
ERROR, DONE = "wr_error", "wr_done"


def _reset_form() -> None:
    state[SUBJECT] = ""
    state[NOTES] = ""
    state[SITE] = None
    state[DATE] = today() + dt.timedelta(days=1)
    state[TIME] = dt.time(9, 0)


def _submit() -> None:
    # A callback: it runs before the next run draws the form, so it may reset the fields on success.
    # On a refusal the fields keep every typed character.
    try:
        with engine.begin() as conn:
            request_id = work_requests.submit(
                scope, conn, subject=state.get(SUBJECT, ""), site_id=state.get(SITE), notes=state.get(NOTES, ""),
                requested_date=state.get(DATE), requested_time=state.get(TIME))
    except PortalError as exc:
        state[ERROR] = exc
        return
    state[DONE] = request_id
    _reset_form()


st.title("Work requests")
st.caption(plain(scope.client_name))

with engine.connect() as conn:
    site_options = dict(work_requests.site_choices(scope, conn))

if SUBJECT not in state:
    _reset_form()
    if len(site_options) == 1:
        state[SITE] = next(iter(site_options))

with st.container(border=True):
    st.subheader("Submit work request")
    if not site_options:
        st.info("Your organisation has no active sites yet, so a work request cannot name one. "
                "Please contact the business.")
    st.text_input("Subject", key=SUBJECT)
    st.selectbox("Site", options=list(site_options), format_func=lambda i: site_options.get(i, "?"),
                 index=None, placeholder="Choose a site", key=SITE)
    # No max_chars: the browser would cut the text silently. Core refuses over-long notes instead,
    # and the typed text stays in the box.
    notes = st.text_area("Notes", key=NOTES, height=180)
    over = len(notes) - work_requests.NOTES_MAX
    counter = f"{len(notes):,} / {work_requests.NOTES_MAX:,} characters"
    if over > 0:
        st.error(f"{counter} — {over:,} too many")
    else:
        st.caption(counter)
    cols = st.columns(2)
    cols[0].date_input("Requested date", key=DATE, min_value=today(), format="YYYY-MM-DD")
    cols[1].time_input("Requested time", key=TIME, step=dt.timedelta(minutes=15))
    st.info(work_requests.PREFERENCE_NOTICE)
    st.button("Submit work request", type="primary", on_click=_submit)
    if (error := state.pop(ERROR, None)) is not None:
        show_error(error)
    if (done := state.pop(DONE, None)) is not None:
        st.success(f"Work request {done} was sent. We will let you know when it is scheduled.")

st.subheader("Your organisation's requests")
status_labels = {None: "All statuses", **work_requests.STATUS_LABELS}
filters = st.columns(2)
status = filters[0].selectbox("Status", options=list(status_labels), format_func=status_labels.get, key="wr_status")
search = filters[1].text_input("Search subject or notes", key="wr_search")
with engine.connect() as conn:
    result = work_requests.list_for_member(scope, conn, status=status, search=search,
                                           page=page_number("wr_page"), page_size=20)

if result.total == 0:
    st.info("No work requests match these filters." if (status or search.strip()) else "No work requests yet.")
for row in result.rows.itertuples():
    with st.container(border=True):
        # Member-entered and imported text is shown with st.text: never read as Markdown.
        head = st.columns([4, 1])
        head[0].text(row.subject)
        head[1].text(row.status_label)
        st.text(f"Site: {row.site}\nRequested for: {row.requested_for:%Y-%m-%d %H:%M} (a preference)\n"
                f"Submitted by {row.submitted_by} on {row.created_at:%Y-%m-%d %H:%M}")
        if row.notes:
            st.text(row.notes)
        if isinstance(row.decline_reason, str) and row.decline_reason:
            st.text(f"Decline reason: {row.decline_reason}")
        if isinstance(row.job_ref, str) and row.job_ref:
            st.text(f"Job: {row.job_ref}")
pager(result, key="wr_page")
