"""Member page: Invoices."""
import streamlit as st

from ui import context

scope = context.member_scope()
st.title("Invoices")
st.caption(scope.client_name)
