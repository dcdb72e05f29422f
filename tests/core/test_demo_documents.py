"""Demo data brings documents (real PDF files) and work requests for demo clients A and B."""
from __future__ import annotations

import sqlalchemy as sa

from core import demo, documents, work_requests
from core import scope as scope_core
from core.schema import documents as documents_table, work_requests as wr_table


def test_demo_load_writes_documents_and_work_requests_the_same_way_each_time(engine, tmp_path):
    demo.load(engine, documents_dir=tmp_path / "docs")
    with engine.connect() as conn:
        keys = conn.execute(sa.select(documents_table.c.storage_key)).scalars().all()
        requests_per_client = conn.execute(
            sa.select(wr_table.c.client_id, sa.func.count()).group_by(wr_table.c.client_id)).all()
        filer = scope_core.load(conn, "documents@client-a.example")
        boss = scope_core.load(conn, "all.rights@client-a.example")
        b_member = scope_core.load(conn, "all.rights@client-b.example")
        filer_titles = set(documents.list_for_member(filer, conn).rows["title"])
        boss_titles = set(documents.list_for_member(boss, conn).rows["title"])
        b_titles = set(documents.list_for_member(b_member, conn).rows["title"])
        a_requests = work_requests.list_for_member(boss, conn).rows
        first_bytes = documents.document_bytes(boss, conn, int(documents.list_for_member(boss, conn).rows["id"][0]),
                                               documents_dir=tmp_path / "docs")[1]

    assert len(keys) == len(demo.DEMO_DOCUMENTS)
    assert sorted(p.name for p in (tmp_path / "docs").iterdir()) == sorted(keys)
    assert len(requests_per_client) == 2
    assert "Board meeting minutes - maintenance budget" in boss_titles - filer_titles
    assert "Draft quotation - solar panels" not in boss_titles
    assert b_titles == {"Service level agreement", "Fire safety plan"}
    assert set(a_requests["status"]) == {"new", "accepted", "declined", "converted"}
    assert first_bytes.startswith(b"%PDF-")
    assert documents.pdf_problem(first_bytes, max_bytes=10**7) is None

    # Deterministic: the same names and bytes on a second load into another database.
    from core.db import make_engine
    from core import schema

    again = make_engine(f"duckdb:///{tmp_path / 'again.duckdb'}")
    schema.init(again)
    demo.load(again, documents_dir=tmp_path / "docs2")
    assert {p.name: p.read_bytes() for p in (tmp_path / "docs").iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "docs2").iterdir()}
    again.dispose()


def test_demo_load_without_a_documents_folder_makes_no_documents(engine):
    demo.load(engine)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(documents_table)).scalar_one() == 0
