"""Member page: Assets."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Assets")
st.caption(scope.client_name)
