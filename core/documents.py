"""Documents: PDFs staff upload for a client, shown to that client's members who may see them.

A member sees a document when it is the member's client's, *visible in client portal* is on, and
the member is not restricted from it (`document_restrictions` rows list who may NOT see what, so
new documents reach every member nobody restricted). Files live under the documents folder with a
generated name; the uploaded file name is only shown, never used as a path.
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import pandas as pd
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.engine import Connection

from core import audit
from core.db import read_frame, utcnow
from core.errors import NotFound, ValidationError
from core.paging import DEFAULT_PAGE_SIZE, Page, fetch, like_pattern
from core.schema import accounts, clients, document_restrictions, documents
from core.scope import MemberScope, StaffScope, require_member, require_staff

PDF_MAGIC = b"%PDF-"
TITLE_MAX = 300
FILES_FIELD = "PDF files"


@dataclass(frozen=True)
class Upload:
    """One uploaded file: the name the browser sent, its bytes, and the title staff gave it."""

    filename: str
    data: bytes
    title: str = ""


def display_name(filename: str) -> str:
    """The uploaded name reduced to a plain file name (shown and offered on download only)."""
    name = PurePosixPath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    return (name or "document.pdf")[-TITLE_MAX:]


def pdf_problem(data: bytes, *, max_bytes: int) -> str | None:
    """Why these bytes are not an acceptable PDF upload, or None."""
    if len(data) == 0:
        return "is empty"
    if len(data) > max_bytes:
        return (f"is {len(data) / 1024 / 1024:.1f} MB; the largest upload is "
                f"{max_bytes / 1024 / 1024:.0f} MB")
    if not data.startswith(PDF_MAGIC):
        return "is not a PDF file (whatever its name says)"
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "is encrypted or password-protected: upload a copy without a password"
        if len(reader.pages) == 0:
            return "has no pages"
    except Exception:  # noqa: BLE001 - a malformed upload can make the parser fail in any way
        return "is damaged: it could not be read as a PDF"
    return None


def check_uploads(uploads: list[Upload], *, max_bytes: int) -> None:
    """Refuse the whole batch (ValidationError naming each bad file) unless every file is fine."""
    problems = []
    if not uploads:
        raise ValidationError({FILES_FIELD: "choose at least one PDF file"})
    for upload in uploads:
        name = display_name(upload.filename)
        if problem := pdf_problem(upload.data, max_bytes=max_bytes):
            problems.append(f"'{name}' {problem}")
        elif len(upload.title.strip()) > TITLE_MAX:
            problems.append(f"the title of '{name}' is longer than {TITLE_MAX} characters")
    if problems:
        raise ValidationError({FILES_FIELD: "; ".join(problems)})


def _client_exists(conn: Connection, client_id) -> bool:
    if client_id is None:
        return False
    return conn.execute(sa.select(clients.c.id).where(clients.c.id == int(client_id))).first() is not None


def upload(scope: StaffScope, conn: Connection, *, client_id: int | None, uploads: list[Upload],
           visible: bool, documents_dir: Path, max_bytes: int) -> list[int]:
    """Staff: validate and store several PDFs for one client; return the new documents' ids.

    All or nothing: one bad file refuses the batch, and files written before a failing insert are
    removed again.
    """
    require_staff(scope)
    if not _client_exists(conn, client_id):
        raise ValidationError({"Client": "is required"})
    check_uploads(uploads, max_bytes=max_bytes)
    documents_dir = Path(documents_dir)
    documents_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    ids: list[int] = []
    try:
        for item in uploads:
            key = uuid.uuid4().hex
            path = documents_dir / key
            path.write_bytes(item.data)
            written.append(path)
            name = display_name(item.filename)
            title = item.title.strip() or PurePosixPath(name).stem or name
            doc_id = conn.execute(documents.insert().values(
                client_id=int(client_id), title=title, filename=name, storage_key=key,
                size_bytes=len(item.data), visible=bool(visible), uploaded_by=scope.account_id,
                uploaded_at=utcnow(),
            ).returning(documents.c.id)).scalar_one()
            audit.record_for(conn, scope, "document_uploaded", client_id=int(client_id),
                             target=f"document:{doc_id}", details={"filename": name, "visible": bool(visible)})
            ids.append(doc_id)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return ids


def list_for_staff(scope: StaffScope, conn: Connection, *, client_id: int | None = None, search: str = "",
                   page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """Staff: one page of documents (all clients or one), newest first."""
    require_staff(scope)
    query = (
        sa.select(documents.c.id, clients.c.name.label("client"), documents.c.title, documents.c.filename,
                  documents.c.size_bytes, documents.c.visible, documents.c.uploaded_at,
                  documents.c.client_id)
        .select_from(documents.join(clients, clients.c.id == documents.c.client_id))
    )
    if client_id is not None:
        query = query.where(documents.c.client_id == int(client_id))
    if search.strip():
        query = query.where(_title_or_filename_matches(search))
    query = query.order_by(documents.c.uploaded_at.desc(), documents.c.id.desc())
    return fetch(conn, query, page=page, page_size=page_size)


def set_visible(scope: StaffScope, conn: Connection, document_id: int, *, visible: bool) -> None:
    """Staff: switch *Visible in client portal* of one document."""
    require_staff(scope)
    row = conn.execute(
        sa.select(documents.c.client_id, documents.c.visible).where(documents.c.id == int(document_id))
    ).first()
    if row is None:
        raise NotFound("No such document.")
    if bool(row.visible) == bool(visible):
        return
    conn.execute(documents.update().where(documents.c.id == int(document_id)).values(visible=bool(visible)))
    audit.record_for(conn, scope, "document_visibility_changed", client_id=row.client_id,
                     target=f"document:{document_id}", details={"visible": bool(visible)})


def member_choices(scope: StaffScope, conn: Connection, client_id: int) -> list[tuple[int, str]]:
    """Staff: one client's portal members as (id, "name <email>"), for choosing whose access to edit."""
    require_staff(scope)
    rows = conn.execute(
        sa.select(accounts.c.id, accounts.c.first_name, accounts.c.last_name, accounts.c.email,
                  accounts.c.active, accounts.c.right_documents)
        .where(accounts.c.role == "member", accounts.c.client_id == int(client_id))
        .order_by(accounts.c.last_name, accounts.c.first_name, accounts.c.id)
    )
    out = []
    for r in rows:
        notes = [] if r.right_documents else ["no View documents right"]
        if not r.active:
            notes.append("inactive")
        suffix = f" ({', '.join(notes)})" if notes else ""
        out.append((r.id, f"{r.first_name} {r.last_name} <{r.email}>{suffix}"))
    return out


def _member(conn: Connection, member_id: int):
    row = conn.execute(
        sa.select(accounts.c.id, accounts.c.client_id, accounts.c.email)
        .where(accounts.c.id == int(member_id), accounts.c.role == "member")
    ).first()
    if row is None:
        raise NotFound("No such portal member.")
    return row


def member_access(scope: StaffScope, conn: Connection, member_id: int) -> pd.DataFrame:
    """Staff: the member's client's visible documents, with `may_see` False where restricted."""
    require_staff(scope)
    member = _member(conn, member_id)
    restricted = sa.exists().where(
        document_restrictions.c.document_id == documents.c.id,
        document_restrictions.c.account_id == member.id,
    )
    return read_frame(conn,
        sa.select(documents.c.id, documents.c.title, documents.c.filename, documents.c.uploaded_at,
                  sa.not_(restricted).label("may_see"))
        .where(documents.c.client_id == member.client_id, documents.c.visible)
        .order_by(documents.c.uploaded_at.desc(), documents.c.id.desc())
    )


def set_member_access(scope: StaffScope, conn: Connection, member_id: int, *, allowed: set[int]) -> None:
    """Staff: of the client's visible documents, let the member see exactly those in `allowed`.

    Hidden documents keep whatever restriction they had; they are not in the staff's list.
    """
    require_staff(scope)
    member = _member(conn, member_id)
    visible_ids = {r.id for r in conn.execute(
        sa.select(documents.c.id).where(documents.c.client_id == member.client_id, documents.c.visible))}
    restricted_now = {r.document_id for r in conn.execute(
        sa.select(document_restrictions.c.document_id).where(document_restrictions.c.account_id == member.id))}
    allowed = {int(i) for i in allowed} & visible_ids
    to_restrict = sorted((visible_ids - allowed) - restricted_now)
    to_allow = sorted(allowed & restricted_now)
    if to_restrict:
        conn.execute(document_restrictions.insert(), [
            {"document_id": d, "account_id": member.id, "client_id": member.client_id} for d in to_restrict])
    if to_allow:
        conn.execute(document_restrictions.delete().where(
            document_restrictions.c.account_id == member.id, document_restrictions.c.document_id.in_(to_allow)))
    if to_restrict or to_allow:
        audit.record_for(conn, scope, "document_access_changed", client_id=member.client_id,
                         target=f"account:{member.id}", details={"restricted": to_restrict, "allowed": to_allow})


def _title_or_filename_matches(search: str):
    pattern = like_pattern(search)
    return sa.or_(sa.func.lower(documents.c.title).like(pattern, escape="\\"),
                  sa.func.lower(documents.c.filename).like(pattern, escape="\\"))


def _seen_by(scope: MemberScope):
    """The WHERE clause of the documents this member may see (client, visible, not restricted)."""
    restricted = sa.exists().where(
        document_restrictions.c.document_id == documents.c.id,
        document_restrictions.c.account_id == scope.account_id,
    )
    return sa.and_(documents.c.client_id == scope.client_id, documents.c.visible, sa.not_(restricted))


def list_for_member(scope: MemberScope, conn: Connection, *, search: str = "", page: int = 1,
                    page_size: int = DEFAULT_PAGE_SIZE) -> Page:
    """One page of the documents this member may see, newest first."""
    require_member(scope, "documents")
    query = (
        sa.select(documents.c.id, documents.c.title, documents.c.filename, documents.c.size_bytes,
                  documents.c.uploaded_at)
        .where(_seen_by(scope))
    )
    if search.strip():
        query = query.where(_title_or_filename_matches(search))
    query = query.order_by(documents.c.uploaded_at.desc(), documents.c.id.desc())
    return fetch(conn, query, page=page, page_size=page_size)


def _documents_dir(documents_dir: Path | None) -> Path:
    if documents_dir is not None:
        return Path(documents_dir)
    from core import settings

    return settings.load(for_web=False).documents_dir


def document_bytes(scope: MemberScope, conn: Connection, document_id: int, *,
                   documents_dir: Path | None = None) -> tuple[str, bytes]:
    """A document this member may see, as (file name, bytes); NotFound for anything else."""
    require_member(scope, "documents")
    row = conn.execute(
        sa.select(documents.c.id, documents.c.filename, documents.c.storage_key)
        .where(documents.c.id == int(document_id), _seen_by(scope))
    ).first()
    if row is None:
        raise NotFound("No such document.")
    path = _documents_dir(documents_dir) / row.storage_key
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound("This document's file is missing; please tell the portal's support contact.") from None
    audit.record_for(conn, scope, "document_downloaded", client_id=scope.client_id,
                     target=f"document:{row.id}")
    return row.filename, data


def staff_document_bytes(scope: StaffScope, conn: Connection, document_id: int, *,
                         documents_dir: Path | None = None) -> tuple[str, bytes]:
    """Staff: any document as (file name, bytes), to check what was uploaded."""
    require_staff(scope)
    row = conn.execute(
        sa.select(documents.c.id, documents.c.filename, documents.c.storage_key, documents.c.client_id)
        .where(documents.c.id == int(document_id))
    ).first()
    if row is None:
        raise NotFound("No such document.")
    try:
        data = (_documents_dir(documents_dir) / row.storage_key).read_bytes()
    except FileNotFoundError:
        raise NotFound("This document's file is missing from the documents folder.") from None
    audit.record_for(conn, scope, "document_downloaded", client_id=row.client_id, target=f"document:{row.id}")
    return row.filename, data


def human_size(size_bytes: int) -> str:
    """A file size as people read it: 812 bytes, 14 KB, 2.3 MB."""
    if size_bytes < 1024:
        return f"{size_bytes} bytes"
    if size_bytes < 1024 * 1024:
        return f"{size_bytes / 1024:.0f} KB"
    return f"{size_bytes / 1024 / 1024:.1f} MB"
