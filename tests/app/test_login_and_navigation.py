"""app.py: login through the form, the navigation each account gets, and what it cannot reach."""
import datetime as dt

import pytest
import sqlalchemy as sa

from core.schema import accounts, audit_log
from tests.app.helpers import anonymous_app, app_as, login_with_form, registered_pages
from tests.factory import PASSWORD, STAFF, add_member
from ui.widgets import plain

MEMBER_URLS = {"asset_services": "Assets", "completed_jobs": "Completed jobs", "invoices": "Invoices",
               "work_requests": "Work requests", "documents": "Documents", "job_status": "Job status"}
MEMBER_FILES = {"Assets": "pages/member_assets.py", "Completed jobs": "pages/member_completed_jobs.py",
                "Invoices": "pages/member_invoices.py", "Work requests": "pages/member_work_requests.py",
                "Documents": "pages/member_documents.py", "Job status": "pages/member_job_status.py"}


def test_login_form_uses_the_portal_labels(portal_env, world):
    at = anonymous_app()
    assert {t.label for t in at.text_input} >= {"Email", "Password"}
    assert "Log in" in [b.label for b in at.button]
    assert registered_pages(at) == PUBLIC_PAGES


def test_member_logs_in_through_the_form_and_lands_on_home(portal_env, world):
    at = login_with_form(anonymous_app(), "Invoices@A.example", PASSWORD)
    assert not at.exception
    assert at.session_state["authentication_status"] is True
    assert registered_pages(at) == {"Home", "Invoices", "Account"}
    with world.engine.connect() as conn:
        actions = [r.action for r in conn.execute(sa.select(audit_log.c.action))]
    assert "login" in actions


def test_wrong_password_is_refused_with_a_message_and_audited(portal_env, world):
    at = login_with_form(anonymous_app(), "invoices@a.example", "not the password at all")
    assert any("incorrect" in e.value for e in at.error)
    assert registered_pages(at) == PUBLIC_PAGES
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(accounts.c.failed_logins).where(accounts.c.email == "invoices@a.example")).one()
    assert row.failed_logins == 1


def test_inactive_member_cannot_log_in(portal_env, world):
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example").values(active=False))
    at = login_with_form(anonymous_app(), "invoices@a.example", PASSWORD)
    assert registered_pages(at) == PUBLIC_PAGES


PUBLIC_PAGES = {"Log in", "Set password", "Forgot password"}
NAV_CASES = [("none", ())] + [(right, (right,)) for right in MEMBER_URLS] + [("all", tuple(MEMBER_URLS))]


@pytest.mark.parametrize("name, rights", NAV_CASES, ids=[c[0] for c in NAV_CASES])
def test_member_navigation_registers_exactly_the_pages_of_its_rights(portal_env, world, name, rights):
    email = f"nav-{name}@a.example"
    with world.engine.begin() as conn:
        add_member(conn, email, world.client_ids["A"], rights)
    at = app_as(email)
    assert not at.exception
    expected = {"Home", "Account"} | {MEMBER_URLS[r] for r in rights}
    assert registered_pages(at) == expected
    for url, path in MEMBER_FILES.items():
        if url in expected:
            at.switch_page(path).run()
            assert not at.exception, path
        else:
            with pytest.raises(ValueError):
                at.switch_page(path)


def test_member_with_invoice_right_reaches_no_staff_page(portal_env, world):
    at = app_as("invoices@a.example")
    assert registered_pages(at) == {"Home", "Invoices", "Account"}
    with pytest.raises(ValueError):
        at.switch_page("pages/staff_clients.py")


def test_staff_gets_the_clients_list(portal_env, world):
    at = app_as(STAFF)
    assert not at.exception
    assert "Clients" in registered_pages(at)
    assert not registered_pages(at) & set(MEMBER_FILES)
    assert [t.value for t in at.title][0] == "Clients"
    assert len(at.dataframe[0].value) == 3


def test_logout_ends_the_session_and_returns_to_login(portal_env, world):
    at = app_as("invoices@a.example")
    at.button(key="portal_logout").click().run()
    assert registered_pages(at) == PUBLIC_PAGES
    with world.engine.connect() as conn:
        valid_after = conn.execute(sa.select(accounts.c.sessions_valid_after)
                                   .where(accounts.c.email == "invoices@a.example")).scalar()
    assert valid_after is not None


def test_deactivation_takes_effect_on_the_next_interaction(portal_env, world):
    at = app_as("invoices@a.example")
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example").values(active=False))
    at.run()
    assert registered_pages(at) == PUBLIC_PAGES


def test_session_from_before_an_end_sessions_is_refused(portal_env, world):
    at = app_as("invoices@a.example")
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example")
                     .values(sessions_valid_after=dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(seconds=5)))
    at.run()
    assert registered_pages(at) == PUBLIC_PAGES
    assert any("session has ended" in i.value for i in at.info)


def test_set_password_link_opened_while_logged_in_says_to_log_out_first(portal_env, world):
    at = app_as("invoices@a.example")
    assert not any("link to set a password" in i.value for i in at.info)
    at.query_params["token"] = "a-token-from-an-e-mail"
    at.run()
    assert not at.exception
    notice = [i.value for i in at.info if "link to set a password" in i.value]
    assert notice and plain("invoices@a.example") in notice[0] and "Log out" in notice[0]


def test_session_message_stays_until_the_next_login(portal_env, world):
    at = app_as("invoices@a.example")
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example").values(active=False))
    at.run()
    at.run()  # deleting the cookie reruns the app: the reason must still be there
    assert any("session has ended" in i.value for i in at.info)
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example").values(active=True))
    login_with_form(at, "invoices@a.example", PASSWORD)
    at.run()
    assert "Home" in registered_pages(at)
    at.button(key="portal_logout").click().run()
    assert not any("session has ended" in i.value for i in at.info)
