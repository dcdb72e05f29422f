"""Real browser: a member's work request declined by staff; a document restricted for one member."""
from __future__ import annotations

from contextlib import contextmanager

from fpdf import FPDF
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from tests.e2e.conftest import login, wait_idle

STAFF = "staff@demo.example"
MEMBER = "all.rights@client-a.example"
COLLEAGUE = "documents@client-a.example"  # client A's second member with the documents right


def _open(page, title: str) -> None:
    wait_idle(page)
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).first.wait_for()


@contextmanager
def _logged_in(browser, portal, email):
    """A browser of its own for each person, logged in once (as two people at two desks)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        login(page, portal.url, email, DEMO_PASSWORD)
        yield page
    finally:
        context.close()


def _block(page, text: str, holding):
    """The innermost layout block that shows `text` and holds the `holding` element."""
    return page.get_by_test_id("stVerticalBlock").filter(has_text=text).filter(has=holding).last


def _choose(page, label: str, option_text: str, *, search: str | None = None) -> None:
    box = page.get_by_label(label, exact=True).filter(visible=True)
    box.click()
    if search:
        box.fill(search)
    page.get_by_role("option").filter(has_text=option_text).first.click()
    wait_idle(page)  # the choice reruns the page; what is done during that rerun can be lost


def test_member_work_request_is_declined_by_staff_and_the_member_sees_why(portal, browser):
    with _logged_in(browser, portal, MEMBER) as member, _logged_in(browser, portal, STAFF) as staff:
        _open(member, "Work requests")
        member.get_by_label("Subject", exact=True).fill("E2E: radiator cold in meeting room")
        _choose(member, "Site", "—")
        member.get_by_label("Notes", exact=True).fill("Room 2.14, since this morning.")
        member.get_by_text("The requested date and time are a preference").wait_for()
        member.get_by_role("button", name="Submit work request").click()
        member.get_by_text("was sent").wait_for()

        _open(staff, "Work request inbox")
        request = _block(staff, "E2E: radiator cold in meeting room", staff.get_by_label("Reason"))
        request.get_by_text("Room 2.14, since this morning.").wait_for()
        request.get_by_role("textbox", name="Reason").fill("Covered by Thursday's maintenance visit")
        request.get_by_role("button", name="Decline").click()
        staff.get_by_text("declined.").wait_for()

        _open(member, "Documents")  # away and back: the list is read again
        _open(member, "Work requests")
        member.get_by_text("Decline reason: Covered by Thursday's maintenance visit").wait_for()


def _pdf(path) -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text="E2E roof inspection")
    pdf.output(str(path))


def test_staff_restricts_an_uploaded_document_for_one_member_and_the_other_downloads_it(portal, browser, tmp_path):
    title = "E2E roof inspection"
    source = tmp_path / "roof-inspection.pdf"
    _pdf(source)

    with _logged_in(browser, portal, STAFF) as page:
        _open(page, "Client documents")
        page.locator('input[type="file"]').set_input_files(str(source))
        page.get_by_label("Title of roof-inspection.pdf").fill(title)
        _choose(page, "Client", "Jansen Installatietechniek", search="Jansen")
        page.get_by_role("button", name="Upload", exact=True).click()
        page.get_by_text("Uploaded 1 document.").wait_for()

        page.get_by_role("tab", name="Documents").click()
        _choose(page, "Document", title)
        page.get_by_test_id("stForm").filter(visible=True).get_by_text("Yes", exact=True).click()
        page.get_by_role("button", name="Save visibility").click()
        page.get_by_text("visible in client portal Yes").wait_for()

        page.get_by_role("tab", name="Member access").click()
        _choose(page, "Client", "Jansen Installatietechniek", search="Jansen")
        _choose(page, "Portal member", COLLEAGUE)
        page.get_by_test_id("stCheckbox").filter(has_text=title).locator("label").click()
        expect(page.get_by_role("checkbox", name=title)).not_to_be_checked()
        page.get_by_role("button", name="Save document access").click()
        page.get_by_text("Saved: this member may see").wait_for()

    with _logged_in(browser, portal, MEMBER) as page:
        _open(page, "Documents")
        row = _block(page, title, page.get_by_role("button", name="Download"))
        with page.expect_download() as info:
            row.get_by_role("button", name="Download").click()
        download = info.value
        assert download.suggested_filename == "roof-inspection.pdf"
        assert open(download.path(), "rb").read() == source.read_bytes()

    with _logged_in(browser, portal, COLLEAGUE) as page:
        _open(page, "Documents")
        page.get_by_text("Maintenance contract 2026").wait_for()
        assert page.get_by_text(title).count() == 0
