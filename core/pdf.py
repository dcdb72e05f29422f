"""PDFs of a member's documents, built as bytes on demand (fpdf2).

Invoice, quote (lines, VAT, totals), workflow form (questions and answers) and asset service
record, each branded with the portal's logo, name and primary colour. Each builder first fetches
its record through the noun module, which checks the right and filters by client in SQL, so a
PDF is never built for a row the member cannot see. The DejaVu TTF fonts shipped in
assets/fonts print "€", "ë", "ł" and "Ĳ".
"""
from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace
from sqlalchemy.engine import Connection

from core import assets, invoices, jobs, quotes, workflow_forms
from core.formatting import date, datetime, label, money, number, text
from core.portal import Branding, branding
from core.scope import MemberScope

FONT_DIR = Path(__file__).resolve().parents[1] / "assets" / "fonts"
FONT = "DejaVu"
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")
_CENT = Decimal("0.01")


def _rgb(color: str) -> tuple[int, int, int]:
    match = _HEX.match(color or "")
    value = match.group(1) if match else "1f6feb"
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


class _Document(FPDF):
    """An A4 page with the portal's logo, name and colour in the header and page numbers below."""

    def __init__(self, brand: Branding, title: str):
        super().__init__(format="A4")
        self.brand = brand
        self.color = _rgb(brand.primary_color)
        self.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_author(brand.portal_name)
        self.set_creator(brand.portal_name)
        self.set_auto_page_break(True, margin=18)
        self.add_page()

    def header(self) -> None:
        """fpdf2 hook: logo, portal name and a rule in the primary colour on every page."""
        x = self.l_margin
        if self.brand.logo:
            try:
                self.image(io.BytesIO(self.brand.logo), x=x, y=10, h=14)
                x += 18
            except Exception:  # noqa: BLE001 - a broken logo must not stop the document
                pass
        self.set_xy(x, 12)
        self.set_font(FONT, "B", 15)
        self.set_text_color(*self.color)
        self.cell(0, 10, self.brand.portal_name)
        self.set_draw_color(*self.color)
        self.set_line_width(0.8)
        self.line(self.l_margin, 27, self.w - self.r_margin, 27)
        self.set_text_color(0, 0, 0)
        self.set_y(32)

    def footer(self) -> None:
        """fpdf2 hook: portal name, support contact and page number at the bottom of every page."""
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(110, 110, 110)
        contact = f"{self.brand.portal_name} · {self.brand.support_contact}".strip(" ·")
        self.cell(0, 6, contact, align="L")
        self.set_x(self.l_margin)
        self.cell(0, 6, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    def heading(self, title: str) -> None:
        """The document's title line."""
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def facts(self, pairs: list[tuple[str, str]]) -> None:
        """Label/value pairs as a two-column block."""
        for key, value in pairs:
            self.set_font(FONT, "B", 10)
            self.cell(45, 6, key)
            self.set_font(FONT, "", 10)
            self.multi_cell(0, 6, value or "–", new_x="LMARGIN", new_y="NEXT")
        self.ln(4)

    def grid(self, headings: list[str], rows: list[list[str]], widths: tuple[int, ...], align: tuple[str, ...]) -> None:
        """A table with the portal colour behind its heading row."""
        self.set_font(FONT, "", 9)
        style = FontFace(emphasis="BOLD", color=(255, 255, 255), fill_color=self.color)
        with self.table(col_widths=widths, text_align=align, headings_style=style, line_height=6,
                        padding=1.2, width=self.epw) as table:
            head = table.row()
            for h in headings:
                head.cell(h)
            for values in rows:
                row = table.row()
                for v in values:
                    row.cell(v)
        self.ln(3)

    def totals(self, pairs: list[tuple[str, str]], bold_last: bool = True) -> None:
        """Right-aligned totals under a table."""
        for i, (key, value) in enumerate(pairs):
            strong = bold_last and i == len(pairs) - 1
            self.set_font(FONT, "B" if strong else "", 10)
            self.set_x(self.w - self.r_margin - 90)
            self.cell(55, 6, key, align="R")
            self.cell(35, 6, value, align="R", new_x="LMARGIN", new_y="NEXT")
        self.ln(3)

    def paragraph(self, title: str, body: str) -> None:
        """A titled block of free text (wrapped)."""
        self.set_font(FONT, "B", 10)
        self.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 10)
        self.multi_cell(0, 5, body or "–", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def bytes(self) -> bytes:
        """The finished PDF."""
        return bytes(self.output())


def _line_rows(lines: pd.DataFrame, currency: str) -> list[list[str]]:
    rows = []
    for line in lines.itertuples(index=False):
        net = (Decimal(line.quantity) * Decimal(line.unit_price)).quantize(_CENT)
        rows.append([str(line.line_no), text(line.description), number(Decimal(line.quantity).normalize()),
                     money(line.unit_price, currency), f"{number(Decimal(line.vat_rate).normalize())} %",
                     money(net, currency)])
    return rows


_LINE_HEADINGS = ["#", "Description", "Quantity", "Unit price", "VAT", "Amount"]
_LINE_WIDTHS = (8, 72, 20, 28, 16, 30)
_LINE_ALIGN = ("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def invoice_pdf(scope: MemberScope, conn: Connection, invoice_id: int) -> bytes:
    """The invoice as a branded PDF: client, dates, status, lines with VAT, totals, paid, outstanding."""
    inv = invoices.get_invoice(scope, conn, invoice_id)
    brand = branding(conn)
    cur = brand.currency
    doc = _Document(brand, f"Invoice {inv['ref']}")
    doc.heading(f"Invoice {inv['ref']}")
    doc.facts([
        ("Client", inv["client_name"]), ("Address", text(inv["client_address"])),
        ("Issued", date(inv["issued_on"])), ("Due", date(inv["due_on"])),
        ("Status", invoices.STATUS_LABELS[inv["status"]]),
        ("Job", " – ".join(t for t in (text(inv["job_ref"]), text(inv["job_title"])) if t)),
    ])
    doc.grid(_LINE_HEADINGS, _line_rows(inv["lines"], cur), _LINE_WIDTHS, _LINE_ALIGN)
    outstanding = max(Decimal(inv["total"]) - Decimal(inv["amount_paid"]), Decimal("0.00"))
    doc.totals([("Subtotal", money(inv["subtotal"], cur)), ("VAT", money(inv["vat_amount"], cur)),
                ("Total", money(inv["total"], cur))], bold_last=True)
    paid = [("Paid", money(inv["amount_paid"], cur))]
    if inv["paid_on"] is not None:
        paid.append(("Paid on", date(inv["paid_on"])))
    paid.append(("Outstanding", money(outstanding, cur)))
    doc.totals(paid, bold_last=True)
    return doc.bytes()


def quote_pdf(scope: MemberScope, conn: Connection, quote_id: int) -> bytes:
    """The quote as a branded PDF: client, status, validity, lines with VAT, totals."""
    q = quotes.get_quote(scope, conn, quote_id)
    brand = branding(conn)
    cur = brand.currency
    doc = _Document(brand, f"Quote {q['ref']}")
    doc.heading(f"Quote {q['ref']}: {q['title']}")
    doc.facts([
        ("Client", q["client_name"]), ("Address", text(q["client_address"])), ("Status", label(q["status"])),
        ("Issued", date(q["issued_on"])), ("Valid until", date(q["valid_until"])), ("Job", text(q["job_ref"])),
    ])
    doc.grid(_LINE_HEADINGS, _line_rows(q["lines"], cur), _LINE_WIDTHS, _LINE_ALIGN)
    doc.totals([("Subtotal", money(q["subtotal"], cur)), ("VAT", money(q["vat_amount"], cur)),
                ("Total", money(q["total"], cur))])
    return doc.bytes()


def workflow_form_pdf(scope: MemberScope, conn: Connection, form_id: int) -> bytes:
    """The workflow form as a branded PDF: job, completion, every question with its answer."""
    form = workflow_forms.get_form(scope, conn, form_id)
    doc = _Document(branding(conn), f"{form['name']} {form['ref']}")
    doc.heading(f"{form['name']} ({form['ref']})")
    doc.facts([
        ("Client", form["client_name"]), ("Job", f"{form['job_ref']} – {form['job_title']}"),
        ("Site", text(form["site"])), ("Completed", datetime(form["completed_at"])),
    ])
    rows = [[str(a.position), text(a.question), text(a.answer)] for a in form["answers"].itertuples(index=False)]
    doc.grid(["#", "Question", "Answer"], rows, (8, 86, 80), ("RIGHT", "LEFT", "LEFT"))
    return doc.bytes()


def service_record_pdf(scope: MemberScope, conn: Connection, service_id: int) -> bytes:
    """The record of a completed asset service as a branded PDF."""
    rec = assets.service_record(scope, conn, service_id)
    doc = _Document(branding(conn), f"Asset service record {rec['ref']}")
    doc.heading(f"Asset service record {rec['ref']}")
    doc.facts([
        ("Client", rec["client_name"]), ("Site", " – ".join(t for t in (text(rec["site"]), text(rec["site_address"])) if t)),
        ("Asset", f"{rec['asset']} ({rec['asset_ref']})"),
        ("Make / model", " ".join(t for t in (text(rec["make"]), text(rec["model"])) if t)),
        ("Serial number", text(rec["serial_number"])), ("Service", rec["service_type"]),
        ("Due", date(rec["due_on"])), ("Completed", date(rec["completed_on"])), ("Result", text(rec["result"])),
        ("Job", text(rec["job_ref"])),
    ])
    doc.paragraph("Notes", text(rec["notes"]))
    return doc.bytes()


BUILDERS = {
    "Workflow form": workflow_form_pdf, "Quote": quote_pdf, "Invoice": invoice_pdf,
    "Asset service record": service_record_pdf,
}


def safe_filename(*parts: str) -> str:
    """A download file name from refs: letters, digits, dot, dash and underscore only."""
    stem = "-".join(re.sub(r"[^A-Za-z0-9._-]+", "_", p).strip("._") or "document" for p in parts)
    return f"{stem}.pdf"


def document_pdf(scope: MemberScope, conn: Connection, kind: str, record_id: int) -> bytes:
    """The PDF of one document listed by `jobs.job_documents` (kind is its 'kind' column)."""
    return BUILDERS[kind](scope, conn, record_id)


def document_filename(kind: str, ref: str) -> str:
    """The file name a listed document downloads as, e.g. "invoice-I1-A.pdf"."""
    return safe_filename(kind.lower().replace(" ", "-"), ref)


def job_zip(scope: MemberScope, conn: Connection, job_id: int) -> bytes:
    """*Download all*: every document of one completed job as PDFs in one ZIP."""
    job = jobs.completed_job(scope, conn, job_id)
    listed = jobs.job_documents(scope, conn, job_id)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for doc in listed.itertuples(index=False):
            name = document_filename(doc.kind, doc.ref)
            archive.writestr(f"{safe_filename(job['ref'])[:-4]}/{name}", document_pdf(scope, conn, doc.kind, doc.id))
    return buffer.getvalue()
