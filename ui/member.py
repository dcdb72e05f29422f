"""Widgets shared by the member pages: filters, lazy downloads, a completed job's documents."""
from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Callable

import streamlit as st
from sqlalchemy.engine import Connection, Engine

from core import assets, jobs, pdf
from core import scope as scope_core
from core.errors import PortalError, RightMissing
from core.formatting import date
from core.scope import MemberScope
from ui import context
from ui.widgets import plain, show_error

ALL_SITES = "All sites"


def build_for_account(engine: Engine, email: str, authenticated_at: dt.datetime | None,
                      build: Callable[[MemberScope, Connection], bytes]) -> bytes:
    """Run a core byte builder with the account's scope as it is now (rights re-read).

    In a transaction of its own, so that a builder that audits the download also commits it.
    """
    with engine.begin() as conn:
        current = scope_core.load(conn, email, authenticated_at=authenticated_at)
        if not isinstance(current, MemberScope):
            raise RightMissing("portal member")
        return build(current, conn)


def lazy_download(label: str, build: Callable[[MemberScope, Connection], bytes], *, file_name: str, mime: str,
                  key: str, **kwargs) -> None:
    """A download button whose bytes are built only when clicked, on a connection of their own.

    The click runs no script, so the account is loaded afresh at download time: a right removed
    or an account deactivated since the page was drawn is refused by the core builder.
    """
    data = partial(build_for_account, context.engine(), context.member_scope().email,
                   st.session_state.get("auth_at"), build)
    st.download_button(label, data=data, file_name=file_name, mime=mime, key=key, on_click="ignore", **kwargs)


def row_pdf_download(rows, *, choose_label: str, button_label: str, build, file_prefix: str, key: str) -> None:
    """Choose one row of the shown page by its ref and download that row's PDF, built on click.

    `build(scope, conn, row_id) -> bytes` is the core PDF builder; it checks rights and client.
    """
    refs = {int(i): ref for i, ref in zip(rows["id"], rows["ref"])}
    pick = st.columns([3, 2])
    chosen = pick[0].selectbox(choose_label, list(refs), format_func=refs.get, key=f"{key}_pick")
    with pick[1]:
        lazy_download(button_label, partial(_build_row, build, chosen),
                      file_name=pdf.safe_filename(file_prefix, refs[chosen]), mime="application/pdf",
                      key=f"{key}_{chosen}", icon=":material/picture_as_pdf:")


def _build_row(build, row_id: int, scope: MemberScope, conn: Connection) -> bytes:
    return build(scope, conn, row_id)


def site_filter(scope: MemberScope, conn: Connection, *, key: str, container=st) -> int | None:
    """Site select box over the member's own client's sites; None for all sites."""
    # Not None as the "all" option: a select box shows None as an empty placeholder.
    options = assets.site_options(scope, conn)
    choice = container.selectbox("Site", [0, *options], key=key, format_func=lambda v: options.get(v, ALL_SITES))
    return choice or None


def date_range(what: str, *, key: str, container=st) -> tuple[dt.date | None, dt.date | None]:
    """Two optional dates, "<what> from" and "<what> to"; a reversed range is swapped, not refused."""
    left, right = container.columns(2)
    start = left.date_input(f"{what} from", value=None, key=f"{key}_from", format="DD/MM/YYYY")
    end = right.date_input(f"{what} to", value=None, key=f"{key}_to", format="DD/MM/YYYY")
    if start and end and start > end:
        start, end = end, start
    return start, end


def job_documents(scope: MemberScope, conn: Connection, job_id: int, job_ref: str, *, key: str) -> None:
    """The documents of one completed job, each as a PDF download, and *Download all* as a ZIP."""
    try:
        listed = jobs.job_documents(scope, conn, job_id)
    except PortalError as exc:
        show_error(exc)
        return
    if listed.empty:
        st.info(f"Job {plain(job_ref)} has no documents to download.")
        return
    lazy_download("Download all", lambda s, c: pdf.job_zip(s, c, job_id),
                  file_name=pdf.safe_filename(job_ref, "documents")[:-4] + ".zip", mime="application/zip",
                  key=f"{key}_zip_{job_id}", icon=":material/folder_zip:")
    for doc in listed.itertuples(index=False):
        cols = st.columns([3, 4, 2, 2])
        cols[0].text(doc.kind)
        cols[1].text(f"{doc.ref} · {doc.name}")
        cols[2].text(date(doc.dated))
        with cols[3]:
            lazy_download("PDF", lambda s, c, kind=doc.kind, rid=doc.id: pdf.document_pdf(s, c, kind, rid),
                          file_name=pdf.document_filename(doc.kind, doc.ref), mime="application/pdf",
                          key=f"{key}_pdf_{doc.kind}_{doc.id}", icon=":material/download:")
