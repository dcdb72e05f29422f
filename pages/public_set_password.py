"""Public: choose a password with the link from an invitation or reset e-mail (?token=…)."""
import streamlit as st

from core import passwords, tokens
from core.accounts import MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS
from core.errors import PortalError
from ui import context
from ui.widgets import show_error

engine = context.engine()

st.title("Set password")
if done := st.session_state.pop("password_set_done", None):
    st.success(done)
    st.page_link(context.login_page(), label="Go to log in", icon=":material/login:")
    st.stop()

token = st.query_params.get("token", "")
try:
    with engine.connect() as conn:
        tokens.check(conn, token)
except tokens.TokenRefused as exc:
    st.error(str(exc))
    st.page_link("pages/public_forgot_password.py", label="Forgot password", icon=":material/lock_reset:")
    st.page_link(context.login_page(), label="Go to log in", icon=":material/login:")
    st.stop()

with st.form("set_password"):
    new_password = st.text_input("New password", type="password")
    confirm = st.text_input("Confirm password", type="password")
    st.caption(f"At least {MIN_PASSWORD_CHARS} characters and at most {MAX_PASSWORD_BYTES} bytes; no other rules. "
               "A few unrelated words make a good password.")
    submitted = st.form_submit_button("Set password", type="primary")

if submitted:
    try:
        with engine.begin() as conn:
            passwords.set_password(conn, token, new_password, confirm)
    except PortalError as exc:
        show_error(exc)
    else:
        st.session_state["password_set_done"] = passwords.PASSWORD_SET
        st.query_params.clear()  # the used link leaves the address bar
        st.rerun()
