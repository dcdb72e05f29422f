"""PDFs: each kind parses with pypdf and shows ref, client, totals, non-Latin text and the branding."""
import io
import zipfile

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from core import pdf
from core.demo import _logo_png
from core.errors import NotFound, RightMissing
from core.jobs import JobNotCompleted
from core.schema import asset_services, invoices, jobs, portal_settings, quotes, workflow_forms
from tests.factory import UNICODE_TEXT


def _id(conn, table, ref):
    return conn.execute(sa.select(table.c.id).where(table.c.ref == ref)).scalar_one()


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def branded(world):
    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(logo=_logo_png("TP", "#aa3300"), logo_mime="image/png",
                                                     primary_color="#aa3300"))
    return world


def test_invoice_pdf_shows_ref_client_lines_totals_and_non_latin_text(branded):
    with branded.engine.connect() as conn:
        data = pdf.invoice_pdf(branded.scope("all@a.example"), conn, _id(conn, invoices, "I5-A"))
    text = _text(data)
    for expected in ("Invoice I5-A", f"Alpha Care {UNICODE_TEXT}", "Service ë", "Subtotal €100.00", "VAT €21.00",
                     "Total €121.00", "Paid €50.00", "Outstanding €71.00", "Overdue", "Test Portal"):
        assert expected in text
    assert "Bravo" not in text


def test_invoice_pdf_carries_the_portal_logo(branded):
    with branded.engine.connect() as conn:
        data = pdf.invoice_pdf(branded.scope("all@a.example"), conn, _id(conn, invoices, "I1-A"))
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert len(page.images) == 1


def test_quote_pdf_shows_lines_vat_and_totals(world):
    with world.engine.connect() as conn:
        text = _text(pdf.quote_pdf(world.scope("all@a.example"), conn, _id(conn, quotes, "Q-A3")))
    for expected in ("Quote Q-A3", "Labour € hour", "21 %", "€50.00", "Subtotal €100.00", "VAT €21.00",
                     "Total €121.00", "ĲSSEL", "Łódź"):
        assert expected in text


def test_workflow_form_pdf_shows_questions_and_answers(world):
    with world.engine.connect() as conn:
        text = _text(pdf.workflow_form_pdf(world.scope("all@a.example"), conn, _id(conn, workflow_forms, "F-A5")))
    for expected in ("F-A5", "J-A5", "Area made safe?", "Remarks", "café Zoë", "ĲSSEL"):
        assert expected in text


def test_service_record_pdf_shows_asset_service_and_notes(world):
    with world.engine.connect() as conn:
        text = _text(pdf.service_record_pdf(world.scope("all@a.example"), conn, _id(conn, asset_services, "SV-A1")))
    for expected in ("SV-A1", "A boiler 1", "SN-A1", "Passed", "Annual inspection", UNICODE_TEXT):
        assert expected in text


def test_job_zip_holds_one_parsable_pdf_per_document(world):
    with world.engine.connect() as conn:
        data = pdf.job_zip(world.scope("all@a.example"), conn, _id(conn, jobs, "J-A5"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(archive.namelist())
        texts = {n: _text(archive.read(n)) for n in names}
    assert names == ["J-A5/asset-service-record-SV-A1.pdf", "J-A5/invoice-I4-A.pdf", "J-A5/quote-Q-A3.pdf",
                     "J-A5/workflow-form-F-A5.pdf"]
    assert all("Alpha Care" in t for t in texts.values())


def test_zip_of_an_open_job_is_refused(world):
    with world.engine.connect() as conn, pytest.raises(JobNotCompleted):
        pdf.job_zip(world.scope("all@a.example"), conn, _id(conn, jobs, "J-A3"))


def test_member_of_a_cannot_get_a_pdf_of_client_bs_invoice_and_b_can(world):
    with world.engine.connect() as conn:
        b_invoice = _id(conn, invoices, "I2-B")
        with pytest.raises(NotFound):
            pdf.invoice_pdf(world.scope("all@a.example"), conn, b_invoice)
        assert "Bravo Buildings Ltd" in _text(pdf.invoice_pdf(world.scope("all@b.example"), conn, b_invoice))


def test_member_without_rights_gets_no_pdf(world):
    scope = world.scope("none@a.example")
    with world.engine.connect() as conn:
        for builder, table, ref in ((pdf.invoice_pdf, invoices, "I4-A"), (pdf.quote_pdf, quotes, "Q-A3"),
                                    (pdf.workflow_form_pdf, workflow_forms, "F-A5"),
                                    (pdf.service_record_pdf, asset_services, "SV-A1")):
            with pytest.raises(RightMissing):
                builder(scope, conn, _id(conn, table, ref))


def test_safe_filename_keeps_only_plain_characters():
    assert pdf.safe_filename("invoice", "../../etc/passwd") == "invoice-etc_passwd.pdf"
