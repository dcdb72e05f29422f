"""Streamlit glue shared by app.py and the pages: cached resources, session scope, widgets.

Pages render and call `core`; this package only adapts core to Streamlit (core never imports it).
"""
