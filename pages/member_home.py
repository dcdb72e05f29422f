"""Member home: who you are and what this portal holds for you."""
import streamlit as st

from core.rights import RIGHTS
from ui import context

scope = context.member_scope()

st.title(f"Welcome, {scope.name}")
st.caption(scope.client_name)
if not scope.rights:
    st.info("Your login has no sections yet. Ask your contact at the business to give you access.")
else:
    st.write("Your sections:")
    for key in RIGHTS:
        if key in scope.rights:
            st.markdown(f"- {RIGHTS[key]}")
