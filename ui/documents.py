"""Streamlit glue for documents shared by staff pages: the per-member document access editor."""
from __future__ import annotations

import re

import streamlit as st

from core import documents
from core.scope import StaffScope
from ui import context

# Characters that format a one-line widget label (emphasis, code, links, colour directives, LaTeX,
# HTML). Only these are escaped: a backslash also lands in the label's aria-label.
_INLINE_MARKDOWN = re.compile(r"([\\`*_\[\]<>~$|])")
_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])")


def plain_label(text: str) -> str:
    """Text for a widget label (labels read Markdown) with the characters that would format it escaped."""
    escaped = _INLINE_MARKDOWN.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped)


def member_documents_editor(scope: StaffScope, member_id: int) -> None:
    """An inline form: the member's client's visible documents, ticked where this member may see them.

    Saving restricts the member from the unticked ones; documents uploaded later are visible to
    the member until staff untick them here.
    """
    engine = context.engine()
    with engine.connect() as conn:
        access = documents.member_access(scope, conn, member_id)
    if access.empty:
        st.info("This client has no documents visible in the client portal yet.")
        return
    with st.form(key=f"doc_access_{member_id}"):
        st.caption("Ticked documents are the ones this member may see. "
                   "New documents are visible to the member until you untick them here.")
        ticked = {
            int(row.id): st.checkbox(plain_label(f"{row.title} ({row.filename})"), value=bool(row.may_see),
                                     key=f"doc_access_{member_id}_{row.id}")
            for row in access.itertuples()
        }
        saved = st.form_submit_button("Save document access")
    if saved:
        with engine.begin() as conn:
            documents.set_member_access(scope, conn, member_id, allowed={i for i, on in ticked.items() if on})
        shown = sum(ticked.values())
        st.success(f"Saved: this member may see {shown} of {len(ticked)} visible documents.")


@st.dialog("Documents this member may see", width="large")
def member_documents_dialog(scope: StaffScope, member_id: int) -> None:
    """The same editor in a dialog, for a key action on a member row (e.g. the Clients page)."""
    member_documents_editor(scope, member_id)
