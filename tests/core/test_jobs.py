"""Jobs: completed list, job status filters/sort/paging, CSV export, documents of completed jobs only."""
import csv
import datetime as dt
import io

import pytest
import sqlalchemy as sa

from core import invoices, jobs, quotes, workflow_forms
from core.errors import NotFound, RightMissing, ValidationError
from core.schema import invoices as invoices_table
from core.schema import jobs as jobs_table
from core.schema import quotes as quotes_table
from core.schema import sites as sites_table
from core.schema import workflow_forms as forms_table
from tests.factory import TRICKY_TITLE, UNICODE_TEXT, add_member


def _id(conn, table, ref):
    return conn.execute(sa.select(table.c.id).where(table.c.ref == ref)).scalar_one()


def _read_csv(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_completed_jobs_are_client_as_only_newest_first(world):
    with world.engine.connect() as conn:
        rows = jobs.list_completed(world.scope("all@a.example"), conn).rows
    assert list(rows["ref"]) == ["J-A7", "J-A6", "J-A5"]


def test_job_status_lists_every_status_of_own_client_and_filters_by_status(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        every = jobs.list_jobs(scope, conn)
        open_ = jobs.list_jobs(scope, conn, status=["unassigned", "assigned", "in_progress", "pending"])
        in_progress = jobs.list_jobs(scope, conn, status="in_progress")
    assert every.total == 8 and all(r.startswith("J-A") for r in every.rows["ref"])
    assert set(open_.rows["status"]) == {"unassigned", "assigned", "in_progress", "pending"}
    assert list(in_progress.rows["ref"]) == ["J-A3"]


def test_job_status_filters_by_site_date_and_text(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        site1 = _id(conn, sites_table, "S-A1")
        by_site = jobs.list_jobs(scope, conn, site_id=site1).rows
        created = sorted(jobs.list_jobs(scope, conn).rows["created_at"])
        day = created[2].date()
        by_day = jobs.list_jobs(scope, conn, date_from=day, date_to=day).rows
        by_text = jobs.list_jobs(scope, conn, search="hyperlink").rows
    assert set(by_site["site"]) == {"A site 1"} and len(by_site) == 4
    assert len(by_day) == 1 and by_day["created_at"].iloc[0].date() == day
    assert list(by_text["ref"]) == ["J-A5"]


def test_a_site_of_another_client_filters_to_nothing(world):
    with world.engine.connect() as conn:
        b_site = _id(conn, sites_table, "S-B1")
        assert jobs.list_jobs(world.scope("all@a.example"), conn, site_id=b_site).total == 0


def test_sort_uses_the_allow_list_and_ignores_unknown_keys(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        by_ref = jobs.list_jobs(scope, conn, sort="ref", descending=False).rows["ref"]
        injected = jobs.list_jobs(scope, conn, sort="ref; DROP TABLE jobs", descending=True).rows["ref"]
    assert list(by_ref) == sorted(by_ref)
    assert list(injected) == [f"J-A{n}" for n in range(8, 0, -1)]  # default: created, newest first


def test_unknown_status_is_refused_naming_the_field(world):
    with world.engine.connect() as conn, pytest.raises(ValidationError) as err:
        jobs.list_jobs(world.scope("all@a.example"), conn, status="lost")
    assert "Status" in err.value.errors


def test_member_without_the_right_cannot_list_jobs(world):
    with world.engine.connect() as conn:
        with pytest.raises(RightMissing):
            jobs.list_jobs(world.scope("invoices@a.example"), conn)
        with pytest.raises(RightMissing):
            jobs.list_completed(world.scope("invoices@a.example"), conn)
        with pytest.raises(RightMissing):
            jobs.job_status_csv(world.scope("none@a.example"), conn)


def test_csv_neutralises_formula_title_and_keeps_non_ascii(world):
    with world.engine.connect() as conn:
        data = jobs.job_status_csv(world.scope("all@a.example"), conn)
    rows = _read_csv(data)
    assert list(rows[0]) == list(jobs.CSV_COLUMNS.values())
    by_ref = {r["Ref"]: r for r in rows}
    assert by_ref["J-A5"]["Title"] == "'" + TRICKY_TITLE
    assert by_ref["J-A2"]["Technician"] == "Piotr Łukasz"
    assert by_ref["J-A5"]["Completed at"] == (world.today + dt.timedelta(days=-15)).isoformat() + " 15:00"
    assert not any(r["Ref"].startswith("J-B") for r in rows)


def test_csv_equals_the_filtered_list_across_page_boundaries(world):
    scope = world.scope("all@a.example")
    filters = dict(status=["completed", "cancelled", "pending"], sort="ref", descending=False)
    with world.engine.connect() as conn:
        pages = [jobs.list_jobs(scope, conn, **filters, page=n, page_size=2) for n in (1, 2, 3)]
        data = jobs.job_status_csv(scope, conn, **filters)
    listed = [ref for p in pages for ref in p.rows["ref"]]
    assert pages[0].total == 5 and len(listed) == 5
    assert [r["Ref"] for r in _read_csv(data)] == listed


def test_csv_of_an_empty_client_is_only_the_header(world):
    with world.engine.connect() as conn:
        data = jobs.job_status_csv(world.scope("all@c.example"), conn)
    assert _read_csv(data) == []
    assert data.decode("utf-8-sig").startswith("Ref,Title")


def test_documents_of_a_completed_job_list_forms_quotes_invoices_and_service_records(world):
    with world.engine.connect() as conn:
        docs = jobs.job_documents(world.scope("all@a.example"), conn, _id(conn, jobs_table, "J-A5"))
    assert list(zip(docs["kind"], docs["ref"])) == [
        ("Workflow form", "F-A5"), ("Quote", "Q-A3"), ("Invoice", "I4-A"), ("Asset service record", "SV-A1")]


@pytest.mark.parametrize("ref", ["J-A1", "J-A2", "J-A3", "J-A4", "J-A8"])
def test_documents_of_a_job_that_is_not_completed_are_refused(world, ref):
    with world.engine.connect() as conn:
        with pytest.raises(jobs.JobNotCompleted):
            jobs.job_documents(world.scope("all@a.example"), conn, _id(conn, jobs_table, ref))


def test_form_of_an_open_job_is_refused_even_by_id(world):
    with world.engine.connect() as conn:
        with pytest.raises(jobs.JobNotCompleted):
            workflow_forms.get_form(world.scope("all@a.example"), conn, _id(conn, forms_table, "F-A2"))


def test_documents_of_another_clients_job_are_not_found(world):
    with world.engine.connect() as conn:
        scope = world.scope("all@a.example")
        with pytest.raises(NotFound):
            jobs.job_documents(scope, conn, _id(conn, jobs_table, "J-B5"))
        with pytest.raises(NotFound):
            quotes.get_quote(scope, conn, _id(conn, quotes_table, "Q-B3"))
        with pytest.raises(NotFound):
            workflow_forms.get_form(scope, conn, _id(conn, forms_table, "F-B5"))


@pytest.mark.parametrize("rights, can_list, can_open_job_invoice, can_open_loose_invoice", [
    (("completed_jobs",), True, True, False),
    (("job_status",), True, True, False),
    (("invoices",), False, True, True),
    (("asset_services", "documents", "work_requests"), False, False, False),
])
def test_document_rights_matrix(world, rights, can_list, can_open_job_invoice, can_open_loose_invoice):
    with world.engine.begin() as conn:
        add_member(conn, "matrix@a.example", world.client_ids["A"], rights)
    scope = world.scope("matrix@a.example")
    with world.engine.connect() as conn:
        job_id = _id(conn, jobs_table, "J-A5")
        job_invoice, loose_invoice = _id(conn, invoices_table, "I4-A"), _id(conn, invoices_table, "I1-A")

        def allowed(fn, *args):
            try:
                fn(scope, conn, *args)
                return True
            except (RightMissing, NotFound):
                return False

        assert allowed(jobs.job_documents, job_id) is can_list
        assert allowed(invoices.get_invoice, job_invoice) is can_open_job_invoice
        assert allowed(invoices.get_invoice, loose_invoice) is can_open_loose_invoice


def test_draft_quotes_are_never_offered_to_the_client(world):
    with world.engine.begin() as conn:
        conn.execute(quotes_table.insert().values(
            client_id=world.client_ids["A"], job_id=_id(conn, jobs_table, "J-A5"), ref="Q-DRAFT", title="Draft",
            status="draft"))
    with world.engine.connect() as conn:
        docs = jobs.job_documents(world.scope("all@a.example"), conn, _id(conn, jobs_table, "J-A5"))
        with pytest.raises(NotFound):
            quotes.get_quote(world.scope("all@a.example"), conn, _id(conn, quotes_table, "Q-DRAFT"))
    assert "Q-DRAFT" not in set(docs["ref"]) and "Q-A3" in set(docs["ref"])


def test_unicode_description_is_kept(world):
    with world.engine.connect() as conn:
        form = workflow_forms.get_form(world.scope("all@a.example"), conn, _id(conn, forms_table, "F-A5"))
    assert UNICODE_TEXT in set(form["answers"]["answer"])
