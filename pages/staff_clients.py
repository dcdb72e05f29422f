"""Staff: search and page through clients."""
import streamlit as st

from core import clients
from ui import context
from ui.widgets import page_number, pager

scope = context.staff_scope()
engine = context.engine()

st.title("Clients")
search = st.text_input("Search by name or ref", key="client_search")
with engine.connect() as conn:
    result = clients.list_clients(scope, conn, search=search, page=page_number("clients_page"))

if result.total == 0:
    st.info("No clients match this search." if search else "No clients yet: import them on the Data import page.")
else:
    st.dataframe(
        result.rows.drop(columns=["id"]),
        hide_index=True,
        column_config={"ref": "Ref", "name": "Name", "email": "Email", "phone": "Phone",
                       "members": st.column_config.NumberColumn("Portal members", format="%d")},
    )
    pager(result, key="clients_page")
