"""Staff: the work requests inbox of all clients — accept, decline with a reason, mark converted."""
import streamlit as st

from core import clients, work_requests
from core.errors import PortalError
from ui import context
from ui.widgets import page_number, pager, show_error

scope = context.staff_scope()
engine = context.engine()
state = st.session_state

st.title("Work request inbox")

with engine.connect() as conn:
    client_options = dict(clients.client_choices(scope, conn))

filters = st.columns([1, 2, 2, 2])
status_labels = {None: "All statuses", **work_requests.STATUS_LABELS}
status = filters[0].selectbox("Status", options=list(status_labels), format_func=status_labels.get,
                              index=1, key="inbox_status")
client_id = filters[1].selectbox("Client", options=list(client_options), format_func=client_options.get,
                                 index=None, placeholder="All clients", key="inbox_client")
period = filters[2].date_input("Submitted between", value=(), format="YYYY-MM-DD", key="inbox_dates")
submitted_from = period[0] if len(period) >= 1 else None
submitted_to = period[1] if len(period) == 2 else submitted_from
search = filters[3].text_input("Search subject or notes", key="inbox_search")

if (message := state.pop("inbox_message", None)) is not None:
    st.success(message)

with engine.connect() as conn:
    result = work_requests.inbox(scope, conn, status=status, client_id=client_id, submitted_from=submitted_from,
                                 submitted_to=submitted_to, search=search, page=page_number("inbox_page"),
                                 page_size=20)


def _act(request_id: int, action: str) -> None:
    try:
        with engine.begin() as conn:
            if action == "accept":
                work_requests.accept(scope, conn, request_id)
            elif action == "decline":
                work_requests.decline(scope, conn, request_id, reason=state.get(f"reason_{request_id}", ""))
            else:
                work_requests.mark_converted(scope, conn, request_id, job_ref=state.get(f"jobref_{request_id}", ""))
    except PortalError as exc:
        state[f"error_{request_id}"] = exc
        return
    done = {"accept": "accepted", "decline": "declined", "convert": "marked as converted to a job"}[action]
    state["inbox_message"] = f"Work request {request_id} {done}."


if result.total == 0:
    st.info("No work requests match these filters.")
for row in result.rows.itertuples():
    with st.container(border=True):
        # Member-entered text (subject, notes) is shown with st.text: never read as Markdown.
        head = st.columns([4, 1])
        head[0].text(f"#{row.id} · {row.subject}")
        head[1].text(row.status_label)
        st.text(f"Client: {row.client}\nMember: {row.member}\nSite: {row.site}\n"
                f"Requested for: {row.requested_for:%Y-%m-%d %H:%M}\nSubmitted: {row.created_at:%Y-%m-%d %H:%M}")
        st.text(f"Notes: {row.notes}" if row.notes else "Notes: (none)")
        if isinstance(row.decline_reason, str) and row.decline_reason:
            st.text(f"Decline reason: {row.decline_reason}")
        if isinstance(row.job_ref, str) and row.job_ref:
            st.text(f"Job: {row.job_ref}")
        if row.status in ("new", "accepted"):
            with st.form(key=f"handle_{row.id}", border=False):
                fields = st.columns(2)
                fields[0].text_input("Reason", key=f"reason_{row.id}", help="Shown to the member when you decline")
                fields[1].text_input("Job ref", key=f"jobref_{row.id}", help="The job this request became")
                buttons = st.columns(3)
                if row.status == "new":
                    buttons[0].form_submit_button("Accept", on_click=_act, args=(row.id, "accept"))
                buttons[1].form_submit_button("Decline", on_click=_act, args=(row.id, "decline"))
                buttons[2].form_submit_button("Mark converted to a job", on_click=_act, args=(row.id, "convert"))
            if (error := state.pop(f"error_{row.id}", None)) is not None:
                show_error(error)
pager(result, key="inbox_page")
