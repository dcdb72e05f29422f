"""A real browser: staff invite a member, the member sets a password, rights and deactivation apply
on the member's next click, and a remember-me cookie from before logout no longer logs in."""
from __future__ import annotations

import email
import email.policy
import re
import time

from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, login_form_shown, nav_links, remember_me_cookie, wait_idle

CLIENT = "Jansen Installatietechniek"  # demo client A
MEMBER = "e2e.member@client-a.example"
MEMBER_PASSWORD = "a long e2e passphrase"
LINK = re.compile(r"https?://\S+/set-password\?token=[A-Za-z0-9_\-]+")


def _choose(page, label: str, option: str) -> None:
    box = page.get_by_label(label)
    box.click()
    box.fill(option)  # the option list is virtualised: filter it down to the wanted one
    page.get_by_role("option").filter(has_text=option).first.click()


def _invitation_link(outbox_dir, to: str, timeout: float = 30) -> str:
    """The set-password link of the .eml the app's background sender wrote for `to`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(outbox_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"].addresses[0].addr_spec == to:
                return LINK.search(message.get_body(("plain",)).get_content()).group(0)
        time.sleep(0.3)
    raise AssertionError(f"no invitation for {to} in {outbox_dir}")


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(20_000)
    return context, context.new_page()


def test_invited_member_sees_exactly_its_rights_and_staff_changes_apply_on_its_next_click(portal, page, browser):
    staff = page
    login(staff, portal.url, "staff@demo.example", DEMO_PASSWORD)
    _choose(staff, "Open client", CLIENT)
    staff.get_by_role("tab", name="Client portal").wait_for()
    create = staff.locator('[data-testid="stForm"]').filter(
        has=staff.get_by_role("button", name="Create portal member"))
    create.get_by_label("First name").fill("Eva")
    create.get_by_label("Last name").fill("Tester")
    create.get_by_label("Login email").fill(MEMBER)
    create.get_by_label("Job title").fill("Facility manager")
    create.get_by_text("View invoices", exact=True).click()
    create.get_by_text("View job status", exact=True).click()
    create.get_by_role("button", name="Create portal member").click()
    staff.get_by_text(f"the invitation to {MEMBER} is on its way").wait_for()

    link = _invitation_link(portal.outbox_dir, MEMBER)
    assert link.startswith(portal.url + "/set-password?token=")
    member_context, member = _new_page(browser)
    try:
        member.goto(link)
        member.get_by_label("New password").fill(MEMBER_PASSWORD)
        member.get_by_label("Confirm password").fill(MEMBER_PASSWORD)
        member.get_by_role("button", name="Set password").click()
        member.get_by_text("Your password is set").wait_for()

        login(member, portal.url, MEMBER, MEMBER_PASSWORD)
        assert nav_links(member) == ["Home", "Invoices", "Job status", "Account"]

        # Staff take the invoices right away: the member's next click no longer shows that page.
        _choose(staff, "Manage member", MEMBER)
        edit = staff.locator('[data-testid="stForm"]').filter(has=staff.get_by_role("button", name="Save changes"))
        edit.get_by_text("View invoices", exact=True).click()
        edit.get_by_role("button", name="Save changes").click()
        staff.get_by_text("they apply on the member's next click").wait_for()

        member.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Account").click()
        expect(member.locator('[data-testid="stSidebarNav"]')).not_to_contain_text("Invoices")
        assert nav_links(member) == ["Home", "Job status", "Account"]

        # Staff deactivate the member: its next click ends at the login form.
        staff.get_by_role("tab", name="Login and sessions").click()
        staff.get_by_role("button", name="Deactivate").click()
        staff.get_by_text("is deactivated and logged out everywhere").wait_for()

        member.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Home").click()
        login_form_shown(member)
        # The reason stays readable through the rerun that deleting the cookie causes.
        member.get_by_text("Your session has ended. Please log in again.").wait_for()
        member.wait_for_timeout(1_000)
        wait_idle(member)
        expect(member.get_by_text("Your session has ended. Please log in again.")).to_be_visible()
        login_form_shown(member)
    finally:
        member_context.close()


def _opens_logged_in(browser, url: str, cookie: dict) -> bool:
    context, fresh = _new_page(browser)
    try:
        context.add_cookies([cookie])
        fresh.goto(url)
        fresh.get_by_role("button", name="Log out").or_(fresh.get_by_role("button", name="Log in")).first.wait_for()
        return fresh.get_by_role("button", name="Log out").count() == 1
    finally:
        context.close()


def test_remember_me_cookie_from_before_logout_does_not_log_in(portal, page, browser):
    login(page, portal.url, "invoices@client-a.example", DEMO_PASSWORD)
    cookie = remember_me_cookie(page.context)
    assert _opens_logged_in(browser, portal.url, cookie)  # the copied cookie works while the session lives

    page.get_by_role("button", name="Log out").click()
    login_form_shown(page)
    assert not _opens_logged_in(browser, portal.url, cookie)
