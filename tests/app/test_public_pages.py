"""AppTest: the public Set password and Forgot password pages, the login page's link, throttling."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from core import accounts, members, passwords
from core import settings as settings_core
from core.schema import outbox
from tests.app.helpers import APP, TIMEOUT, anonymous_app, login_with_form, registered_pages
from tests.factory import PASSWORD


def _public(page: str, token: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if token is not None:
        at.query_params["token"] = token
    at.run()
    return at.switch_page(page).run()


def _invite(world) -> str:
    """Create a member the way staff do and return its invitation token (read from the link)."""
    cfg = settings_core.load(for_web=False)
    with world.engine.begin() as conn:
        members.create_member(world.scope("staff@business.example"), conn, world.client_ids["A"], cfg=cfg,
                              first_name="Nina", last_name="Nieuw", email="nina@a.example", rights=("invoices",))
    with world.engine.connect() as conn:
        text = conn.execute(sa.select(outbox.c.body_text).where(outbox.c.to_addr == "nina@a.example")).scalar_one()
    return text.split("set-password?token=")[1].split()[0]


def test_login_page_offers_forgot_password_and_registers_only_public_pages(portal_env, world):
    at = anonymous_app()
    assert {"forgot-password", "set-password"} <= registered_pages(at)
    assert not {"clients", "invoices", "account"} & registered_pages(at)
    assert any(link.proto.page == "forgot-password" for link in at.get("page_link"))


def test_invited_member_sets_a_password_with_the_link_then_logs_in(portal_env, world):
    token = _invite(world)
    at = _public("pages/public_set_password.py", token)
    assert not at.exception
    boxes = {t.label: t for t in at.text_input}
    boxes["New password"].input("my new portal passphrase")
    boxes["Confirm password"].input("my new portal passphrase")
    next(b for b in at.button if b.label == "Set password").click()
    at.run()
    assert any("password is set" in s.value for s in at.success)

    again = _public("pages/public_set_password.py", token)
    assert any("already been used" in e.value for e in again.error)
    assert not [t for t in again.text_input if t.label == "New password"]

    login = login_with_form(anonymous_app(), "nina@a.example", "my new portal passphrase")
    assert "invoices" in registered_pages(login) and "assets" not in registered_pages(login)


def test_set_password_refuses_a_short_password_naming_the_field_and_keeps_the_link(portal_env, world):
    token = _invite(world)
    at = _public("pages/public_set_password.py", token)
    boxes = {t.label: t for t in at.text_input}
    boxes["New password"].input("too short")
    boxes["Confirm password"].input("too short")
    next(b for b in at.button if b.label == "Set password").click()
    at.run()
    assert any("New password" in e.value and "at least 12" in e.value for e in at.error)
    with world.engine.begin() as conn:
        passwords.set_password(conn, token, "now a long passphrase", "now a long passphrase")


def test_set_password_without_a_valid_token_says_so(portal_env, world):
    at = _public("pages/public_set_password.py", "not-a-real-token")
    assert any("not valid" in e.value for e in at.error)
    assert not [t for t in at.text_input if t.label == "New password"]


def test_forgot_password_answers_the_same_whether_or_not_the_address_exists(portal_env, world):
    answers = []
    for email in ("all@a.example", "nobody@nowhere.example"):
        at = _public("pages/public_forgot_password.py")
        next(t for t in at.text_input if t.label == "Email").input(email)
        next(b for b in at.button if b.label == "Send link").click()
        at.run()
        answers.append([s.value for s in at.success])
    assert answers[0] == answers[1] and answers[0]
    with world.engine.connect() as conn:
        sent_to = [r[0] for r in conn.execute(sa.select(outbox.c.to_addr))]
    assert sent_to == ["all@a.example"]


def test_repeated_wrong_passwords_delay_the_account_and_the_right_one_works_after_the_delay(
        portal_env, world, monkeypatch):
    at = anonymous_app()
    delays = []
    for _ in range(accounts.FREE_FAILURES + 2):
        login_with_form(at, "all@a.example", "wrong password!!")
        with world.engine.connect() as conn:
            delays.append(accounts.seconds_throttled(conn, "all@a.example"))
    assert delays[:accounts.FREE_FAILURES] == [0] * accounts.FREE_FAILURES
    assert 0 < delays[-2] <= delays[-1]
    assert any("wait" in w.value for w in at.warning)

    # During the delay even the right password is refused (unchecked).
    login_with_form(at, "all@a.example", PASSWORD)
    assert "invoices" not in registered_pages(at)
    assert any("wait" in w.value for w in at.warning)

    # Once the delay is over (the clock moved on), the right password logs in.
    later = accounts.utcnow() + dt.timedelta(seconds=accounts.MAX_DELAY_SECONDS + 1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    login_with_form(at, "all@a.example", PASSWORD)
    assert "invoices" in registered_pages(at)
    with world.engine.connect() as conn:
        assert accounts.seconds_throttled(conn, "all@a.example") == 0


def test_account_page_changes_the_password_with_the_current_one(portal_env, world):
    from tests.app.helpers import app_as

    at = app_as("none@a.example", "pages/common_account.py")
    boxes = {t.label: t for t in at.text_input}
    boxes["Current password"].input("not my password")
    boxes["New password"].input("a different passphrase")
    boxes["Confirm password"].input("a different passphrase")
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert any("Current password" in e.value for e in at.error)

    boxes = {t.label: t for t in at.text_input}
    boxes["Current password"].input(PASSWORD)
    next(b for b in at.button if b.label == "Change password").click()
    at.run()
    assert any("Password changed" in s.value for s in at.success)
    # This session goes on; the account's older sessions have ended.
    assert "account" in registered_pages(at)
    with world.engine.connect() as conn:
        from core import scope as scope_core
        assert scope_core.load(conn, "none@a.example",
                               authenticated_at=accounts.utcnow() - dt.timedelta(seconds=5)) is None
        creds = accounts.credentials(conn, only_email="none@a.example")
    assert accounts.verify_password("a different passphrase", creds["usernames"]["none@a.example"]["password"])


def test_log_out_on_the_account_page_ends_the_session(portal_env, world):
    from tests.app.helpers import app_as

    at = app_as("none@a.example", "pages/common_account.py")
    next(b for b in at.button if b.label == "Log out on all devices").click()
    at.run()
    assert "account" not in registered_pages(at)
    assert any(b.label == "Log in" for b in at.button)
