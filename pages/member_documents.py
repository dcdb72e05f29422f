"""Member page: Documents."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Documents")
st.caption(scope.client_name)
