"""Every account: its own details."""
import streamlit as st

from core.scope import MemberScope
from ui import context

scope = context.scope()

st.title("Account")
st.text(f"Name: {scope.name}")
st.text(f"Login email: {scope.email}")
if isinstance(scope, MemberScope):
    st.text(f"Client: {scope.client_name}")
st.caption("Use *Log out* in the sidebar to end your session.")
