"""Staff: the audit log — who did what and when, filtered, with CSV export."""
import datetime as dt

import streamlit as st

from core import audit
from ui import context
from ui.widgets import page_number, pager

scope = context.staff_scope()
engine = context.engine()

st.title("Audit log")
with engine.connect() as conn:
    action_names = audit.actions(scope, conn)

cols = st.columns(3)
action = cols[0].selectbox("Action", ["All", *action_names], key="audit_action")
actor = cols[1].text_input("Who (e-mail contains)", key="audit_actor")
client = cols[2].text_input("Client (name or ref contains)", key="audit_client")
cols = st.columns(3)
since = cols[0].date_input("From", value=None, key="audit_since")
until = cols[1].date_input("To", value=None, key="audit_until")
search = cols[2].text_input("Search target or details", key="audit_search")

filters = {"action": None if action == "All" else action, "actor": actor, "client": client,
           "since": since, "until": until, "search": search}
with engine.connect() as conn:
    result = audit.list_entries(scope, conn, page=page_number("audit_page"), **filters)

if result.total == 0:
    st.info("No entries match these filters.")
    st.stop()
st.dataframe(
    result.rows.drop(columns=["id"]), hide_index=True,
    column_config={"occurred_at": "When (UTC)", "actor_email": "Who", "action": "Action", "client": "Client",
                   "target": "Target", "details": "Details"},
)
pager(result, key="audit_page")


def _csv() -> bytes:
    # Built only when the button is clicked (it may hold many rows).
    with engine.connect() as conn:
        return audit.entries_csv(scope, conn, **filters)


st.download_button("Export CSV", data=_csv, file_name=f"audit-log-{dt.date.today().isoformat()}.csv",
                   mime="text/csv")
