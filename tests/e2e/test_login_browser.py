"""A real browser logs in as a demo member, sees its home page and logs out."""
from core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, login_form_shown, nav_links, settle


def test_demo_member_logs_in_sees_home_and_logs_out(portal, page):
    login(page, portal.url, "invoices@client-a.example", DEMO_PASSWORD)
    page.get_by_role("heading", name="Welcome, Bram Jansen").wait_for()
    assert nav_links(page) == ["Home", "Invoices", "Account"]

    page.get_by_role("button", name="Log out").click()
    login_form_shown(page)
    assert page.get_by_label("Email").is_visible()


def test_page_outside_the_members_rights_leads_nowhere(portal, page):
    login(page, portal.url, "invoices@client-a.example", DEMO_PASSWORD)
    page.goto(f"{portal.url}/assets")
    page.get_by_role("heading", name="Welcome, Bram Jansen").wait_for()
    assert page.get_by_role("heading", name="Assets").count() == 0


def test_wrong_password_is_refused(portal, page):
    page.goto(portal.url)
    page.get_by_label("Email", exact=True).wait_for()
    settle(page)
    page.get_by_label("Email", exact=True).fill("invoices@client-a.example")
    page.get_by_label("Password", exact=True).fill("not the right password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Email or password is incorrect.").wait_for()
