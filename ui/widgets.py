"""Small shared widgets: refusal messages, paging controls."""
from __future__ import annotations

import re

import streamlit as st

from core.errors import PortalError, ValidationError
from core.paging import Page

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=])")


def plain(text: str) -> str:
    """Text from a person made safe for a Markdown-rendering element (headers, messages, labels)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def show_error(error: PortalError) -> None:
    """Show a core refusal as a message (one line per field for validation errors)."""
    if isinstance(error, ValidationError):
        for field, message in error.errors.items():
            st.error(f"**{field}** {message}")
    else:
        st.error(str(error))


def page_number(key: str) -> int:
    """The page the user asked for (read before the list is fetched; 1 at first)."""
    return int(st.session_state.get(key, 1))


def pager(result: Page, key: str) -> None:
    """Paging control under a server-paged list: row range, total, page number."""
    pages = max(1, -(-result.total // result.page_size))
    if st.session_state.get(key) != result.page:
        st.session_state[key] = result.page  # the core fell back to the last page
    if pages == 1:
        st.caption(f"{result.total} row{'s' if result.total != 1 else ''}")
        return
    cols = st.columns([1, 4])
    cols[0].number_input("Page", min_value=1, max_value=pages, step=1, key=key)
    first = (result.page - 1) * result.page_size + 1
    cols[1].caption(f"Rows {first}–{min(result.page * result.page_size, result.total)} of "
                    f"{result.total} · page {result.page} of {pages}")
