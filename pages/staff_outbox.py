"""Staff: the e-mail outbox — what is pending, sent or failed, and retry of failed e-mail."""
import streamlit as st

from core import outbox
from core.errors import PortalError
from ui import context, sender
from ui.widgets import page_number, pager, plain, show_error

scope = context.staff_scope()
engine = context.engine()

st.title("Outbox")
if message := st.session_state.pop("outbox_message", None):
    st.success(message)
with engine.connect() as conn:
    counts = outbox.status_counts(scope, conn)
cols = st.columns(3)
cols[0].metric("Pending", counts["pending"])
cols[1].metric("Sent", counts["sent"])
cols[2].metric("Failed", counts["failed"])
if not context.settings().smtp_host:
    st.caption(f"No SMTP server is configured: e-mail is written as .eml files to "
               f"{plain(str(context.settings().outbox_dir))}.")

filters = st.columns([1, 2])
status = filters[0].selectbox("Status", ["All", "Failed", "Pending", "Sent"], key="outbox_status")
search = filters[1].text_input("Search recipient or subject", key="outbox_search")
with engine.connect() as conn:
    result = outbox.list_outbox(scope, conn, status=None if status == "All" else status.lower(), search=search,
                                page=page_number("outbox_page"))

if result.total == 0:
    st.info("No e-mail matches." if (search or status != "All") else "No e-mail has been queued yet.")
    st.stop()
st.dataframe(
    result.rows, hide_index=True,
    column_config={
        "id": st.column_config.NumberColumn("No.", format="%d"), "created_at": "Queued (UTC)", "kind": "Kind",
        "to_addr": "To", "subject": "Subject", "status": "Status", "attempts": "Attempts",
        "next_attempt_at": "Next attempt (UTC)", "sent_at": "Sent (UTC)", "last_error": "Last error",
    },
)
pager(result, key="outbox_page")

failed = result.rows[result.rows["status"] == "failed"]
if not failed.empty:
    st.subheader("Retry a failed e-mail")
    labels = {int(r.id): f"No. {r.id} to {r.to_addr}: {r.subject}" for r in failed.itertuples()}
    chosen = st.selectbox("Failed e-mail", list(labels), format_func=labels.get, key="outbox_retry_id")
    if st.button("Retry"):
        try:
            with engine.begin() as conn:
                outbox.retry(scope, conn, chosen)
        except PortalError as exc:
            show_error(exc)
        else:
            sender.wake()
            st.session_state["outbox_message"] = f"E-mail no. {chosen} will be sent again."
            st.rerun()
