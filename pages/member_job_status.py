"""Member page: Job status."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Job status")
st.caption(scope.client_name)
