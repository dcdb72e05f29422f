"""Member page: Documents — the client's documents this member may see, newest first, to download."""
import streamlit as st

from core import documents, formatting
from ui import context
from ui.member import lazy_download
from ui.widgets import page_number, pager, plain

scope = context.member_scope()
engine = context.engine()
cfg = context.settings()

st.title("Documents")
st.caption(plain(scope.client_name))

search = st.text_input("Search title or file name", key="docs_search")
with engine.connect() as conn:
    result = documents.list_for_member(scope, conn, search=search, page=page_number("docs_page"), page_size=20)


def _document(document_id: int):
    # Runs when the member clicks Download, with the account loaded afresh (rights, deactivation,
    # ended sessions): core checks client, visibility and restriction by id, and audits it.
    def build(current, conn) -> bytes:
        return documents.document_bytes(current, conn, document_id, documents_dir=cfg.documents_dir)[1]
    return build


if result.total == 0:
    st.info("No documents match this search." if search else "There are no documents for you yet.")
for row in result.rows.itertuples():
    with st.container(border=True):
        cols = st.columns([5, 1])
        cols[0].text(row.title)
        cols[0].caption(f"{formatting.date(row.uploaded_at)} · {documents.human_size(int(row.size_bytes))}")
        with cols[1]:
            lazy_download("Download", _document(int(row.id)), file_name=row.filename, mime="application/pdf",
                          key=f"doc_download_{row.id}")
pager(result, key="docs_page")
