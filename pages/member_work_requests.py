"""Member page: Work requests."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Work requests")
st.caption(scope.client_name)
