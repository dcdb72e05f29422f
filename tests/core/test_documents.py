"""Documents: only real, unencrypted PDFs within the size limit are stored; members see exactly
the visible documents of their own client that they are not restricted from, by id."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from core import documents
from core.errors import NotFound, RightMissing, ValidationError
from core.schema import audit_log, document_restrictions, documents as documents_table
from core.scope import NotStaff
from tests.factory import STAFF, add_member

MAX_BYTES = 200_000


def make_pdf(text: str = "Maintenance contract") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=text)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf())))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _upload(world, tmp_path, files, *, client="A", visible=False, max_bytes=MAX_BYTES) -> list[int]:
    with world.engine.begin() as conn:
        return documents.upload(world.scope(STAFF), conn, client_id=world.client_ids[client], uploads=files,
                                visible=visible, documents_dir=tmp_path / "docs", max_bytes=max_bytes)


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(documents_table)).scalar_one()


def test_staff_uploads_several_pdfs_stored_under_generated_names(world, tmp_path):
    ids = _upload(world, tmp_path, [documents.Upload("../../etc/contract.pdf", make_pdf(), "Contract"),
                                    documents.Upload("report 2026.pdf", make_pdf("Report"))])
    with world.engine.connect() as conn:
        rows = conn.execute(sa.select(documents_table).where(documents_table.c.id.in_(ids))
                            .order_by(documents_table.c.id)).mappings().all()
    assert [r["title"] for r in rows] == ["Contract", "report 2026"]
    assert [r["filename"] for r in rows] == ["contract.pdf", "report 2026.pdf"]
    assert all(not r["visible"] for r in rows)  # default No
    stored = sorted(p.name for p in (tmp_path / "docs").iterdir())
    assert stored == sorted(r["storage_key"] for r in rows)
    assert all(len(name) == 32 and "contract" not in name for name in stored)


@pytest.mark.parametrize("case, data, problem", [
    ("text renamed .pdf", b"Just some text, not a PDF at all", "is not a PDF"),
    ("PNG renamed .pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "is not a PDF"),
    ("PDF magic but garbage", b"%PDF-1.7\n garbage garbage", "damaged"),
    ("encrypted PDF", None, "encrypted"),
    ("oversized PDF", "big", "largest upload"),
    ("empty file", b"", "is empty"),
])
def test_bad_upload_is_refused_naming_the_file_and_nothing_stored(world, tmp_path, case, data, problem):
    if data is None:
        data = encrypted_pdf()
    elif data == "big":
        data = make_pdf() + b"%" + b"x" * MAX_BYTES
    with pytest.raises(ValidationError) as refused:
        _upload(world, tmp_path, [documents.Upload("good.pdf", make_pdf()), documents.Upload("bad.pdf", data)])
    message = refused.value.errors[documents.FILES_FIELD]
    assert "'bad.pdf'" in message and problem in message
    assert "good.pdf" not in message
    assert _count(world.engine) == 0
    assert not (tmp_path / "docs").exists() or not any((tmp_path / "docs").iterdir())


def test_upload_needs_a_client_and_staff(world, tmp_path):
    with pytest.raises(ValidationError) as refused, world.engine.begin() as conn:
        documents.upload(world.scope(STAFF), conn, client_id=None, uploads=[documents.Upload("a.pdf", make_pdf())],
                         visible=True, documents_dir=tmp_path, max_bytes=MAX_BYTES)
    assert "Client" in refused.value.errors
    with pytest.raises(NotStaff), world.engine.begin() as conn:
        documents.upload(world.scope("all@a.example"), conn, client_id=world.client_ids["A"],
                         uploads=[documents.Upload("a.pdf", make_pdf())], visible=True,
                         documents_dir=tmp_path, max_bytes=MAX_BYTES)


@pytest.fixture
def matrix(world, tmp_path):
    """Four documents of client A (visible/hidden x restricted for all@a.example or not), one of B.

    Client A has a second member with the documents right (colleague@a.example), never restricted.
    """
    with world.engine.begin() as conn:
        world.account_ids["colleague@a.example"] = add_member(
            conn, "colleague@a.example", world.client_ids["A"], ("documents",))
    ids = {}
    for visible in (True, False):
        for restricted in (True, False):
            [doc_id] = _upload(world, tmp_path, [documents.Upload(f"{visible}-{restricted}.pdf", make_pdf())],
                               visible=visible)
            ids[(visible, restricted)] = doc_id
    [ids["B"]] = _upload(world, tmp_path, [documents.Upload("b.pdf", make_pdf())], client="B", visible=True)
    staff = world.scope(STAFF)
    with world.engine.begin() as conn:
        # Restrict on the two documents while both are visible; then hide one of them again.
        documents.set_visible(staff, conn, ids[(False, True)], visible=True)
        allowed = {ids[(True, False)]}
        documents.set_member_access(staff, conn, world.account_ids["all@a.example"], allowed=allowed)
        documents.set_visible(staff, conn, ids[(False, True)], visible=False)
    return ids


MATRIX = [
    # member, document key, may download
    ("all@a.example", (True, False), True),
    ("all@a.example", (True, True), False),
    ("all@a.example", (False, False), False),
    ("all@a.example", (False, True), False),
    ("all@a.example", "B", False),
    ("colleague@a.example", (True, False), True),
    ("colleague@a.example", (True, True), True),
    ("colleague@a.example", (False, False), False),
    ("colleague@a.example", (False, True), False),
    ("colleague@a.example", "B", False),
    ("all@b.example", (True, False), False),
    ("all@b.example", (True, True), False),
    ("all@b.example", (False, False), False),
    ("all@b.example", (False, True), False),
    ("all@b.example", "B", True),
]


@pytest.mark.parametrize("email, key, allowed", MATRIX)
def test_member_downloads_only_visible_unrestricted_documents_of_its_client_by_id(
        world, tmp_path, matrix, email, key, allowed):
    scope = world.scope(email)
    with world.engine.begin() as conn:
        listed = set(documents.list_for_member(scope, conn).rows["id"])
        if allowed:
            filename, data = documents.document_bytes(scope, conn, matrix[key], documents_dir=tmp_path / "docs")
            assert data.startswith(b"%PDF-") and filename.endswith(".pdf")
        else:
            with pytest.raises(NotFound):
                documents.document_bytes(scope, conn, matrix[key], documents_dir=tmp_path / "docs")
    assert (matrix[key] in listed) is allowed


def test_download_is_audited(world, tmp_path, matrix):
    with world.engine.begin() as conn:
        documents.document_bytes(world.scope("all@a.example"), conn, matrix[(True, False)],
                                 documents_dir=tmp_path / "docs")
    with world.engine.connect() as conn:
        actions = conn.execute(sa.select(audit_log.c.action, audit_log.c.actor_email)
                               .where(audit_log.c.action == "document_downloaded")).all()
    assert [tuple(a) for a in actions] == [("document_downloaded", "all@a.example")]


def test_member_without_documents_right_cannot_download(world, tmp_path, matrix):
    with pytest.raises(RightMissing), world.engine.begin() as conn:
        documents.document_bytes(world.scope("invoices@a.example"), conn, matrix[(True, False)],
                                 documents_dir=tmp_path / "docs")


def test_new_documents_are_visible_to_members_restricted_from_other_documents(world, tmp_path, matrix):
    [new_id] = _upload(world, tmp_path, [documents.Upload("new.pdf", make_pdf())], visible=True)
    with world.engine.connect() as conn:
        listed = set(documents.list_for_member(world.scope("all@a.example"), conn).rows["id"])
    assert new_id in listed


def test_member_access_lists_the_clients_visible_documents_with_restrictions(world, tmp_path, matrix):
    staff = world.scope(STAFF)
    with world.engine.connect() as conn:
        access = documents.member_access(staff, conn, world.account_ids["all@a.example"])
    assert dict(zip(access["id"], access["may_see"])) == {matrix[(True, False)]: True, matrix[(True, True)]: False}


def test_allowing_a_document_again_removes_the_restriction_and_is_audited(world, tmp_path, matrix):
    staff = world.scope(STAFF)
    member = world.account_ids["all@a.example"]
    with world.engine.begin() as conn:
        documents.set_member_access(staff, conn, member, allowed={matrix[(True, False)], matrix[(True, True)]})
    with world.engine.connect() as conn:
        left = conn.execute(sa.select(document_restrictions.c.document_id)
                            .where(document_restrictions.c.account_id == member)).scalars().all()
        changes = conn.execute(sa.select(sa.func.count()).select_from(audit_log)
                               .where(audit_log.c.action == "document_access_changed")).scalar_one()
    assert left == [matrix[(False, True)]]  # the hidden document keeps its restriction
    assert changes == 2


def test_visibility_change_is_audited_once_per_change(world, tmp_path, matrix):
    with world.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(audit_log)
                             .where(audit_log.c.action == "document_visibility_changed")).scalar_one()
    assert count == 2


def test_uploader_and_restricted_member_can_still_log_in_afterwards(world, tmp_path, matrix):
    # Regression (DuckDB): a foreign key from documents to accounts made every later update of
    # those accounts (login bookkeeping) fail.
    from core import accounts

    with world.engine.begin() as conn:
        accounts.record_login_success(conn, STAFF)
        accounts.record_login_success(conn, "all@a.example")
