"""AppTest helpers: run app.py as a given account without typing the password every time."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.db import utcnow

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60


def anonymous_app() -> AppTest:
    """app.py before anyone logs in (the login page)."""
    return AppTest.from_file(APP, default_timeout=TIMEOUT).run()


def app_as(email: str, page: str | None = None) -> AppTest:
    """app.py with `email` already authenticated in this session, optionally on `page`.

    This skips only the password form (tested on its own); app.py still loads the account's
    scope and navigation from the database as on every real run.
    """
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = email
    at.session_state["name"] = email
    at.session_state["auth_at"] = utcnow()
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def login_with_form(at: AppTest, email: str, password: str) -> AppTest:
    """Fill in and submit the login form."""
    email_box = next(t for t in at.text_input if t.label == "Email")
    password_box = next(t for t in at.text_input if t.label == "Password")
    email_box.set_value(email)
    password_box.set_value(password)
    next(b for b in at.button if b.label == "Log in").click()
    return at.run()


def registered_pages(at: AppTest) -> set[str]:
    """The titles of the pages st.navigation registered on the last run."""
    return {info.get("page_name") for info in at._registered_pages.values()}
