"""Member page: Completed jobs."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Completed jobs")
st.caption(scope.client_name)
