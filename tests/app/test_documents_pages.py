"""Document pages: staff upload and set access; members list exactly what they may see."""
from __future__ import annotations

import sqlalchemy as sa

from core import documents
from core.schema import documents as documents_table
from tests.app.helpers import app_as
from tests.core.test_documents import make_pdf
from tests.factory import STAFF, add_member


def _upload(world, portal_env, title, *, client="A", visible=True) -> int:
    with world.engine.begin() as conn:
        [doc_id] = documents.upload(world.scope(STAFF), conn, client_id=world.client_ids[client],
                                    uploads=[documents.Upload(f"{title}.pdf", make_pdf(title), title)],
                                    visible=visible, documents_dir=portal_env / "documents", max_bytes=10**6)
    return doc_id


def test_member_documents_page_lists_only_visible_unrestricted_own_documents(portal_env, world, engine):
    _upload(world, portal_env, "Alpha contract")
    _upload(world, portal_env, "Alpha draft", visible=False)
    _upload(world, portal_env, "Bravo contract", client="B")
    restricted = _upload(world, portal_env, "Alpha board minutes")
    with engine.begin() as conn:
        visible_ids = set(documents.member_access(world.scope(STAFF), conn, world.account_ids["all@a.example"])["id"])
        documents.set_member_access(world.scope(STAFF), conn, world.account_ids["all@a.example"],
                                    allowed=visible_ids - {restricted})
    at = app_as("all@a.example", "pages/member_documents.py")
    assert not at.exception
    titles = [t.value for t in at.main.text]
    assert titles == ["Alpha contract"]


def test_staff_document_access_editor_restricts_a_member(portal_env, world, engine):
    doc_id = _upload(world, portal_env, "Alpha contract")
    with engine.begin() as conn:
        colleague = add_member(conn, "colleague@a.example", world.client_ids["A"], ("documents",))
    at = app_as(STAFF, "pages/staff_documents.py")
    assert not at.exception
    at.selectbox(key="doc_access_client").set_value(world.client_ids["A"]).run()
    at.selectbox(key=f"doc_access_member_{world.client_ids['A']}").set_value(colleague).run()
    box = at.checkbox(key=f"doc_access_{colleague}_{doc_id}")
    assert box.value is True  # default: all visible documents
    box.uncheck()
    next(b for b in at.button if b.label == "Save document access").click()
    at.run()
    assert not at.exception
    with engine.connect() as conn:
        colleague_access = documents.member_access(world.scope(STAFF), conn, colleague)
        other_access = documents.member_access(world.scope(STAFF), conn, world.account_ids["all@a.example"])
    assert colleague_access["may_see"].tolist() == [False]
    assert other_access["may_see"].tolist() == [True]  # the other member of the client keeps it


def test_staff_changes_visibility_on_the_documents_page(portal_env, world, engine):
    doc_id = _upload(world, portal_env, "Alpha contract", visible=False)
    at = app_as(STAFF, "pages/staff_documents.py")
    at.selectbox(key="doc_edit_id").set_value(doc_id)
    at.radio(key="doc_edit_visible").set_value("Yes")
    next(b for b in at.button if b.label == "Save visibility").click()
    at.run()
    assert not at.exception
    with engine.connect() as conn:
        assert conn.execute(sa.select(documents_table.c.visible)).scalar_one() is True
