"""The portal's entry point: configuration, login, and the pages this account may see.

Exactly one `streamlit_authenticator.Authenticate` is created per run, here. The account's scope
(role, client, rights) is re-read from the database on every run, so a change of rights or a
deactivation applies on the member's next interaction.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from core import accounts, demo, navigation, portal
from core import scope as scope_core
from core.settings import SettingsError
from ui import branding, context, sender
from ui.widgets import plain

COOKIE_NAME = "portal_auth"
LOGIN_FIELDS = {"Form name": "Log in", "Username": "Email", "Password": "Password", "Login": "Log in"}

st.set_page_config(page_title="Client Portal", page_icon=":material/handyman:", layout="wide")

try:
    cfg = context.settings()
except SettingsError as exc:
    st.error(f"The portal is not configured correctly: {exc}")
    st.stop()
engine = context.engine()
sender.start()  # once per process: delivers the outbox in the background

with engine.connect() as conn:
    brand = portal.branding(conn)
context.set_brand(brand)
branding.apply(brand)

was_authenticated = st.session_state.get("authentication_status") is True
with engine.connect() as conn:
    creds = accounts.credentials(conn, only_email=st.session_state.get("username") if was_authenticated else None)
authenticator = stauth.Authenticate(
    creds, cookie_name=COOKIE_NAME, cookie_key=cfg.cookie_key,
    cookie_expiry_days=cfg.cookie_expiry_days, auto_hash=False,
    login_sleep_time=0,  # cookies are read server-side (st.context.cookies): no need to wait
)
# The cookie component is drawn where it is called and only on some runs (set, delete); calls go
# into this fixed slot so that the page below it keeps its place from one run to the next (a
# shifted page shows stale copies of its elements until the run ends).
cookie_slot = st.container()
if st.session_state.get("authentication_status") is False:
    # A failure is reported once, on the run whose form submit failed.
    st.session_state["authentication_status"] = None

# Re-authentication from the remember-me cookie (no form rendered here).
try:
    with cookie_slot:
        authenticator.login(location="unrendered")
except LoginError:
    # The cookie names an account that is gone or inactive: forget the cookie.
    with cookie_slot:
        authenticator.cookie_controller.delete_cookie()


def _cookie_issued_at() -> dt.datetime | None:
    token = authenticator.cookie_controller.cookie_model.token
    if not token or "exp_date" not in token:
        return None
    issued = token["exp_date"] - cfg.cookie_expiry_days * 86400
    return dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None)


def _end_browser_session(message: str) -> None:
    with cookie_slot:
        authenticator.logout(location="unrendered")
    for key in ("auth_at", "_set_cookie"):
        st.session_state.pop(key, None)
    st.session_state["session_message"] = message


scope = None
if st.session_state.get("authentication_status"):
    if "auth_at" not in st.session_state:
        st.session_state["auth_at"] = _cookie_issued_at()
    auth_at = st.session_state["auth_at"]
    if auth_at is not None:
        with engine.connect() as conn:
            scope = scope_core.load(conn, st.session_state["username"], authenticated_at=auth_at)
    if scope is None:
        _end_browser_session("Your session has ended. Please log in again.")
    elif st.session_state.pop("_set_cookie", False):
        # Set the remember-me cookie again on the first run after login, where it is not
        # cut short by the rerun that rebuilt the navigation.
        with cookie_slot:
            authenticator.cookie_controller.set_cookie()
context.set_scope(scope)


def login_page() -> None:
    """The login form, with the portal's branding (and the demo logins in demo mode)."""
    logins = [(email, demo.DEMO_PASSWORD) for email, *_ in demo.DEMO_LOGINS] if cfg.demo else None
    branding.login_header(brand, demo=cfg.demo, demo_logins=logins)
    # Kept until the next login: deleting the cookie reruns the app, and a message shown only on
    # the first of those runs would vanish (and shift the form) before anyone could read it.
    if message := st.session_state.get("session_message"):
        st.info(message)
    st.page_link(forgot_password, label="Forgot password?", icon=":material/lock_reset:")
    try:
        authenticator.login(location="main", fields=LOGIN_FIELDS, key="login")
    except LoginError as exc:
        st.error(str(exc))
    status = st.session_state.get("authentication_status")
    if status:
        st.session_state.pop("session_message", None)
        with engine.begin() as conn:
            st.session_state["auth_at"] = accounts.record_login_success(conn, st.session_state["username"])
        st.session_state["_set_cookie"] = True
        st.rerun()
    elif status is False:
        failed = accounts.failed_usernames(authenticator.authentication_controller.authentication_model.credentials)
        with engine.begin() as conn:
            wait = accounts.record_login_failure(conn, failed[0] if failed else None)
        st.error("Email or password is incorrect.")
        if wait:
            st.warning(f"Too many failed attempts for this account: wait {wait} seconds before trying again.")


def _on_logout(_info: dict) -> None:
    if isinstance(scope, (scope_core.MemberScope, scope_core.StaffScope)):
        with engine.begin() as conn:
            accounts.end_sessions(conn, scope.account_id, reason="logout")


if scope is None:
    login = st.Page(login_page, title="Log in", icon=":material/login:", url_path="login", default=True)
    forgot_password = st.Page("pages/public_forgot_password.py", title="Forgot password",
                              icon=":material/lock_reset:", url_path="forgot-password")
    set_password = st.Page("pages/public_set_password.py", title="Set password", icon=":material/key:",
                           url_path="set-password")
    context.set_login_page(login)
    nav = st.navigation([login, forgot_password, set_password], position="hidden")
else:
    specs = navigation.pages_for(scope)
    made = [st.Page(s.path, title=s.title, icon=s.icon, url_path=s.url_path, default=(i == 0))
            for i, s in enumerate(specs)]
    if isinstance(scope, scope_core.StaffScope):
        grouped: dict[str, list] = {}
        for spec, page in zip(specs, made):
            grouped.setdefault(spec.section or "", []).append(page)
        nav = st.navigation(grouped)
    else:
        nav = st.navigation(made)
    with st.sidebar:
        st.markdown(f"**{plain(brand.portal_name)}**")
        who = scope.client_name if isinstance(scope, scope_core.MemberScope) else "Staff"
        st.caption(plain(who))
        st.text(scope.name)
        authenticator.logout("Log out", location="sidebar", key="portal_logout", callback=_on_logout)
    branding.footer(brand)
    if st.query_params.get("token"):
        # A set-password link (invitation or reset) opened in a browser that is logged in: that
        # page belongs to the logged-out navigation, so say what to do instead of ignoring it.
        st.info(f"You opened a link to set a password, but this browser is logged in as "
                f"{plain(scope.email)}. Log out, then open the link from the e-mail again.",
                icon=":material/key:")
    if not st.session_state.get("authentication_status"):
        st.rerun()  # logged out just now

nav.run()
