"""Staff: search and page through clients; open one to manage its portal members."""
import streamlit as st

from core import clients
from core.errors import PortalError
from ui import context, members
from ui.widgets import page_number, pager, plain, show_error

scope = context.staff_scope()
engine = context.engine()

st.title("Clients")
members.show_flash()
search = st.text_input("Search by name or ref", key="client_search")
with engine.connect() as conn:
    result = clients.list_clients(scope, conn, search=search, page=page_number("clients_page"))

if result.total == 0:
    st.info("No clients match this search." if search else "No clients yet: import them on the Data import page.")
    st.stop()
st.dataframe(
    result.rows.drop(columns=["id"]),
    hide_index=True,
    column_config={"ref": "Ref", "name": "Name", "email": "Email", "phone": "Phone",
                   "members": st.column_config.NumberColumn("Portal members", format="%d")},
)
pager(result, key="clients_page")

names = {int(r.id): f"{r.name} ({r.ref})" for r in result.rows.itertuples()}
client_id = st.selectbox("Open client", [None, *names], key="open_client",
                         format_func=lambda c: "Choose a client…" if c is None else names.get(c, "(not on this page)"))
if client_id is None or client_id not in names:
    st.stop()

setup_completed = context.brand().setup_completed
try:
    with engine.connect() as conn:
        client = clients.get_client(scope, conn, client_id)
except PortalError as exc:
    show_error(exc)
    st.stop()

st.header(plain(client["name"]))
portal_tab, details_tab = st.tabs(["Client portal", "Details"])
with portal_tab:
    shown = members.member_list(scope, engine, client_id)
    members.member_panel(scope, engine, client_id, shown.rows)
    members.create_form(scope, engine, client_id, setup_completed=setup_completed)
with details_tab:
    for label, key in (("Ref", "ref"), ("Email", "email"), ("Phone", "phone"), ("Address", "address")):
        st.text(f"{label}: {client.get(key) or '—'}")
    st.text(f"Active: {'yes' if client['active'] else 'no'}")
