"""The portal's domain: settings, database, rights and every query a page may call.

Nothing in this package imports Streamlit; pages call in, never the other way round.
"""
