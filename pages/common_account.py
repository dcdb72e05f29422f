"""Every account: its own details, change password, log out."""
import streamlit as st

from core import accounts
from core.accounts import MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS
from core.errors import PortalError
from core.scope import MemberScope
from ui import context
from ui.widgets import show_error

scope = context.scope()
engine = context.engine()

st.title("Account")
st.text(f"Name: {scope.name}")
st.text(f"Login email: {scope.email}")
if isinstance(scope, MemberScope):
    st.text(f"Client: {scope.client_name}")

st.subheader("Change password")
if message := st.session_state.pop("password_changed_message", None):
    st.success(message)
with st.form("change_password", clear_on_submit=False):
    current = st.text_input("Current password", type="password")
    new_password = st.text_input("New password", type="password")
    confirm = st.text_input("Confirm password", type="password")
    st.caption(f"At least {MIN_PASSWORD_CHARS} characters and at most {MAX_PASSWORD_BYTES} bytes; no other rules.")
    submitted = st.form_submit_button("Change password")
if submitted:
    try:
        with engine.begin() as conn:
            valid_after = accounts.change_password(conn, scope.account_id, current=current, new=new_password,
                                                   confirm=confirm)
    except PortalError as exc:
        show_error(exc)
    else:
        # This browser stays logged in; every other session of the account ends on its next click.
        st.session_state["auth_at"] = valid_after
        st.session_state["password_changed_message"] = "Password changed. Your other sessions have been logged out."
        st.rerun()

st.subheader("Log out")
st.caption("Logging out ends every session of your login, on all devices.")
if st.button("Log out on all devices"):
    with engine.begin() as conn:
        accounts.end_sessions(conn, scope.account_id, reason="logout")
    st.rerun()  # app.py finds the session ended and shows the login form
