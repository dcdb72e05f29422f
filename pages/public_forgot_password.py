"""Public: ask for a link to set a new password. The answer never tells whether the address exists."""
import streamlit as st

from core import passwords
from core.errors import PortalError
from ui import context, sender
from ui.widgets import show_error

engine = context.engine()

st.title("Forgot password")
st.write("Enter the e-mail address you log in with. We will e-mail you a link to set a new password.")
with st.form("forgot_password"):
    email = st.text_input("Email")
    submitted = st.form_submit_button("Send link", type="primary")

if submitted:
    try:
        with engine.begin() as conn:
            answer = passwords.request_reset(conn, email, context.settings())
    except PortalError as exc:
        show_error(exc)
    else:
        sender.wake()
        st.success(answer)
st.page_link(context.login_page(), label="Back to log in", icon=":material/login:")
