"""A demo member downloads an invoice PDF and a job-status CSV through the real buttons.

The portal's DuckDB file is locked by its streamlit process, so the expected bytes come from the
same deterministic demo data loaded into a second database here, through the same core functions.
"""
import csv
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core import demo, jobs, pdf, schema
from core import scope as scope_core
from core.db import make_engine
from core.schema import invoices
from tests.e2e.conftest import login, wait_idle

MEMBER = "all.rights@client-a.example"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """The demo data set as the portal loaded it, in a database this test may open."""
    engine = make_engine(f"duckdb:///{tmp_path_factory.mktemp('mirror') / 'demo.duckdb'}")
    schema.init(engine)
    demo.load(engine)
    with engine.connect() as conn:
        scope = scope_core.load(conn, MEMBER)
    yield engine, scope
    engine.dispose()


@pytest.fixture
def page(page):
    """The browser page with generous waits: the machine running the suite may be busy."""
    page.set_default_timeout(60_000)
    return page


def _open(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    page.get_by_role("heading", name=title).wait_for()


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_member_downloads_invoice_pdf_that_core_would_build(mirror, portal, page):
    engine, scope = mirror
    login(page, portal.url, MEMBER, demo.DEMO_PASSWORD)
    _open(page, "Invoices")
    picker = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Invoice", exact=True))
    picker.wait_for()
    wait_idle(page)
    ref = picker.locator("input").input_value()
    assert re.fullmatch(r"IN\d{7}", ref), ref
    with page.expect_download() as info:
        page.get_by_role("button", name="View PDF").click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert download.suggested_filename == f"invoice-{ref}.pdf"

    text = _pdf_text(data)
    assert f"Invoice {ref}" in text and "Jansen Installatietechniek B.V." in text and "Demo Field Services" in text
    with engine.connect() as conn:
        invoice_id = conn.execute(sa.select(invoices.c.id).where(invoices.c.ref == ref)).scalar_one()
        assert text == _pdf_text(pdf.invoice_pdf(scope, conn, invoice_id))


def test_member_exports_job_status_csv_equal_to_the_filtered_list(mirror, portal, page):
    engine, scope = mirror
    login(page, portal.url, MEMBER, demo.DEMO_PASSWORD)
    _open(page, "Job status")
    page.get_by_text(re.compile(r"Rows 1–50 of [\d,]+")).wait_for()
    shown_total = int(re.search(r"of ([\d,]+) ·", page.get_by_text(re.compile(r"Rows 1–50 of")).inner_text())
                      .group(1).replace(",", ""))
    with page.expect_download() as info:
        page.get_by_role("button", name="Export CSV").click()
    download = info.value
    data = open(download.path(), "rb").read()
    assert download.suggested_filename == "job-status.csv"

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == shown_total > 50  # every page, not only the one shown
    with engine.connect() as conn:
        assert data == jobs.job_status_csv(scope, conn)
