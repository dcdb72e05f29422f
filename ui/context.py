"""Process-wide resources (settings, engine) and the logged-in scope of this session."""
from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from core import demo, schema
from core import settings as settings_core
from core.db import make_engine
from core.portal import Branding
from core.scope import MemberScope, Scope, StaffScope

SCOPE_KEY = "portal_scope"
LOGIN_PAGE_KEY = "portal_login_page"


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


@st.cache_resource(show_spinner="Preparing the database…")
def _prepared(url: str, demo_mode: bool) -> bool:
    # Once per process and database: create/upgrade the schema; in demo mode fill an empty one.
    engine = _engine_for(url)
    schema.init(engine)
    if demo_mode and demo.is_empty(engine):
        demo.load(engine, documents_dir=settings().documents_dir)
    return True


def settings() -> settings_core.Settings:
    """The validated settings (read per run: cheap, and a changed secrets.toml applies)."""
    return settings_core.load()


def engine() -> Engine:
    """The process's engine for the configured database, schema ready (demo data if asked)."""
    cfg = settings()
    _prepared(cfg.db_url, cfg.demo)
    return _engine_for(cfg.db_url)


BRAND_KEY = "portal_brand"


def set_brand(brand: Branding) -> None:
    """Remember the branding app.py read for this run, so pages need not read it again."""
    st.session_state[BRAND_KEY] = brand


def brand() -> Branding:
    """The portal's branding as read at the start of this run."""
    return st.session_state[BRAND_KEY]


def set_scope(scope: Scope | None) -> None:
    """Remember this run's scope (app.py sets it before running the page)."""
    st.session_state[SCOPE_KEY] = scope


def scope() -> Scope:
    """The scope app.py loaded for this run; stops the page if there is none."""
    current = st.session_state.get(SCOPE_KEY)
    if current is None:
        st.error("Please log in.")
        st.stop()
    return current


def member_scope() -> MemberScope:
    """The member scope of this run; stops a page that a staff account reached."""
    current = scope()
    if not isinstance(current, MemberScope):
        st.error("This page is for portal members.")
        st.stop()
    return current


def staff_scope() -> StaffScope:
    """The staff scope of this run; stops a page that a member reached."""
    current = scope()
    if not isinstance(current, StaffScope):
        st.error("This page is for staff.")
        st.stop()
    return current


def set_login_page(page) -> None:
    """Remember the login page of this run (app.py), so public pages can link back to it."""
    st.session_state[LOGIN_PAGE_KEY] = page


def login_page():
    """The login page registered in this run, for st.page_link / st.switch_page."""
    return st.session_state[LOGIN_PAGE_KEY]
