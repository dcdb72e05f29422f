"""Staff: upload PDFs for a client, switch their portal visibility, choose which members see them."""
from pathlib import PurePosixPath

import streamlit as st

from core import clients, documents
from core.errors import PortalError, ValidationError
from ui import context
from ui.documents import member_documents_editor, plain_label
from ui.widgets import page_number, pager, show_error

scope = context.staff_scope()
engine = context.engine()
cfg = context.settings()
state = st.session_state

st.title("Client documents")
with engine.connect() as conn:
    client_options = dict(clients.client_choices(scope, conn))
YES_NO = ["No", "Yes"]

upload_tab, list_tab, access_tab = st.tabs(["Upload", "Documents", "Member access"])

with upload_tab:
    # A new uploader key after each successful upload empties the file list.
    uploader_key = f"doc_files_{state.setdefault('doc_upload_round', 0)}"
    client_id = st.selectbox("Client", options=list(client_options), format_func=client_options.get,
                             index=None, placeholder="Type to search clients", key="doc_upload_client")
    files = st.file_uploader("PDF files", type=["pdf"], accept_multiple_files=True, key=uploader_key,
                             help=f"At most {cfg.max_upload_bytes // (1024 * 1024)} MB each; not password-protected")
    for file in files or []:
        st.text_input(plain_label(f"Title of {file.name}"), value=PurePosixPath(documents.display_name(file.name)).stem,
                      key=f"doc_title_{file.file_id}")
    visible = st.radio("Visible in client portal", YES_NO, index=0, horizontal=True, key="doc_upload_visible")
    if st.button("Upload", type="primary", key="doc_upload"):
        uploads = [documents.Upload(f.name, f.getvalue(), state.get(f"doc_title_{f.file_id}", ""))
                   for f in files or []]
        try:
            with engine.begin() as conn:
                ids = documents.upload(scope, conn, client_id=client_id, uploads=uploads, visible=visible == "Yes",
                                       documents_dir=cfg.documents_dir, max_bytes=cfg.max_upload_bytes)
        except PortalError as exc:
            show_error(exc)
        else:
            state["doc_upload_round"] += 1
            state["doc_message"] = f"Uploaded {len(ids)} document{'s' if len(ids) != 1 else ''}."
            st.rerun()
    if (message := state.pop("doc_message", None)) is not None:
        st.success(message)

with list_tab:
    cols = st.columns(2)
    list_client = cols[0].selectbox("Client", options=list(client_options), format_func=client_options.get,
                                    index=None, placeholder="All clients", key="doc_list_client")
    search = cols[1].text_input("Search title or file name", key="doc_search")
    with engine.connect() as conn:
        result = documents.list_for_staff(scope, conn, client_id=list_client, search=search,
                                          page=page_number("doc_page"), page_size=25)
    if result.total == 0:
        st.info("No documents match." if (list_client or search) else "No documents uploaded yet.")
    else:
        st.dataframe(
            result.rows.drop(columns=["client_id"]).assign(
                visible=result.rows["visible"].map({True: "Yes", False: "No"}),
                size_bytes=result.rows["size_bytes"].map(documents.human_size)),
            hide_index=True,
            column_config={"id": "Id", "client": "Client", "title": "Title", "filename": "File",
                           "size_bytes": "Size", "visible": "Visible in client portal",
                           "uploaded_at": st.column_config.DatetimeColumn("Uploaded", format="YYYY-MM-DD HH:mm")},
        )
        pager(result, key="doc_page")

        listed = {int(r.id): f"#{r.id} {r.title} — {r.client}" for r in result.rows.itertuples()}
        filenames = {int(r.id): r.filename for r in result.rows.itertuples()}
        st.subheader("Change a document")
        # One form: choosing the document does not rerun the page between the two choices.
        with st.form(key="doc_visibility"):
            doc_id = st.selectbox("Document", options=list(listed), format_func=listed.get, key="doc_edit_id")
            new_visible = st.radio("Visible in client portal", YES_NO, index=None, horizontal=True,
                                   key="doc_edit_visible")
            if st.form_submit_button("Save visibility"):
                try:
                    if new_visible is None:
                        raise ValidationError({"Visible in client portal": "choose Yes or No"})
                    with engine.begin() as conn:
                        documents.set_visible(scope, conn, doc_id, visible=new_visible == "Yes")
                except PortalError as exc:
                    show_error(exc)
                else:
                    state["doc_saved"] = f"Document {doc_id}: visible in client portal {new_visible}."
                    st.rerun()
        if (saved := state.pop("doc_saved", None)) is not None:
            st.success(saved)

        download_id = st.selectbox("Download a copy of", options=list(listed), format_func=listed.get,
                                   key="doc_download_id")

        def _staff_copy(document_id=download_id) -> bytes:
            with engine.begin() as conn:
                return documents.staff_document_bytes(scope, conn, document_id, documents_dir=cfg.documents_dir)[1]

        st.download_button("Download", data=_staff_copy, file_name=filenames.get(download_id, "document.pdf"),
                           mime="application/pdf", on_click="ignore", key="doc_staff_download")

with access_tab:
    st.caption("Choose a client and one of its portal members, then tick the documents this member may see.")
    access_client = st.selectbox("Client", options=list(client_options), format_func=client_options.get,
                                 index=None, placeholder="Type to search clients", key="doc_access_client")
    if access_client is not None:
        with engine.connect() as conn:
            member_options = dict(documents.member_choices(scope, conn, access_client))
        if not member_options:
            st.info("This client has no portal members yet.")
        else:
            member_id = st.selectbox("Portal member", options=list(member_options), format_func=member_options.get,
                                     index=None, placeholder="Choose a member",
                                     key=f"doc_access_member_{access_client}")
            if member_id is not None:
                member_documents_editor(scope, member_id)
