"""Property: nothing a member-facing core function returns belongs to another client.

One database per module holds generated data for many clients (the deterministic demo generator,
14 clients with thousands of jobs, invoices, services, forms and quotes, plus the factory's
clients A, B and the empty C). Hypothesis then generates members (any client, any set of rights),
a member-facing function and its arguments (filters, paging, sorting, ids of any client's records),
and checks every row, count, figure, CSV line, PDF and ZIP against the client the member belongs
to; a function for a right the member lacks must raise. A second property draws the data itself
(2-4 clients with drawn jobs, titles and invoices) and checks each member's lists, CSV and totals
against an exact oracle.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from core import accounts, assets, db, demo, home, invoices, jobs, loader, pdf, quotes, schema, workflow_forms
from core.db import make_engine, read_frame
from core.errors import NotFound, RightMissing
from core.rights import RIGHTS
from core.schema import JOB_STATUSES
from core.scope import MemberScope
from tests.factory import build_world

TODAY = dt.date(2026, 3, 31)
DOC_RIGHTS = {"completed_jobs", "job_status"}
TABLES = ("clients", "sites", "assets", "asset_services", "jobs", "invoices", "quotes", "workflow_forms")


class Data:
    """The module's database and, per table, which client each id and ref belongs to."""

    def __init__(self, engine):
        self.engine = engine
        with engine.connect() as conn:
            self.frames = {
                "clients": read_frame(conn, sa.select(schema.clients.c.id, schema.clients.c.name)),
                **{name: read_frame(conn, sa.select(schema.metadata.tables[name]))
                   for name in TABLES if name != "clients"},
            }
        self.client_ids = sorted(self.frames["clients"]["id"])
        self.client_names = dict(zip(self.frames["clients"]["id"], self.frames["clients"]["name"]))
        self.owner = {name: dict(zip(f["id"], f["client_id"])) for name, f in self.frames.items() if name != "clients"}
        self.ref_owner = {name: dict(zip(f["ref"], f["client_id"])) for name, f in self.frames.items()
                          if name != "clients"}
        self.ids = {name: sorted(owner) for name, owner in self.owner.items()}

    def own(self, table: str, client_id: int) -> pd.DataFrame:
        frame = self.frames[table]
        return frame[frame["client_id"] == client_id]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "BCRYPT_ROUNDS", 4)
        mp.setattr(db, "today", lambda: TODAY)
        engine = make_engine(f"duckdb:///{tmp_path_factory.mktemp('iso') / 'portal.duckdb'}")
        schema.init(engine)
        build_world(engine, today=TODAY)
        with engine.begin() as conn:
            loader.load(conn, demo.frames("small", today=TODAY))
        yield Data(engine)
        engine.dispose()


def _scope(data: Data, client_id: int, rights: frozenset[str]) -> MemberScope:
    return MemberScope(account_id=0, email="generated@member.example", name="Generated Member",
                       client_id=client_id, client_name=data.client_names[client_id], rights=rights)


# --- generated arguments ---------------------------------------------------------------------

dates = st.one_of(st.none(), st.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2027, 6, 30)))
searches = st.one_of(st.just(""), st.text(alphabet="aeJ0-1%_\\' ", max_size=4))
paging = st.fixed_dictionaries({"page": st.integers(-1, 8), "page_size": st.integers(1, 60)})
junk_sort = st.text(alphabet="abc;' -", max_size=6)


def _site(data: Data):
    return st.one_of(st.none(), st.sampled_from(data.ids["sites"]))


def _id_of(data: Data, table: str):
    return st.sampled_from(data.ids[table])


def _id_near(data: Data, table: str, client_id: int):
    """Half the time an id of the member's own client's records, else of anyone's."""
    own = sorted(int(i) for i in data.own(table, client_id)["id"])
    return st.one_of(st.sampled_from(own), _id_of(data, table)) if own else _id_of(data, table)


# --- checks ----------------------------------------------------------------------------------

def _rows_belong(data: Data, table: str, frame: pd.DataFrame, client_id: int) -> None:
    owners = {data.owner[table][int(i)] for i in frame["id"]}
    assert owners <= {client_id}, f"{table}: rows of clients {owners - {client_id}} leaked"


def _page_belongs(data: Data, table: str, page, client_id: int, page_size: int) -> None:
    _rows_belong(data, table, page.rows, client_id)
    assert len(page.rows) <= max(1, page_size) and len(page.rows) <= page.total
    assert page.total <= len(data.own(table, client_id))


def _pdf_text(raw: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(raw)).pages)
    return re.sub(r"\s+", " ", text)


def _pdf_belongs(data: Data, raw: bytes, table: str, ref: str, client_id: int) -> None:
    text = _pdf_text(raw)
    assert ref in text
    assert re.sub(r"\s+", " ", data.client_names[client_id]) in text
    assert data.ref_owner[table][ref] == client_id


def _refused(data: Data, error: type[Exception], fn, scope: MemberScope, *args, **kwargs) -> None:
    with data.engine.connect() as conn, pytest.raises(error):
        fn(scope, conn, *args, **kwargs)


# --- the member-facing functions, each with its generated arguments and its check -------------

def call_list_jobs(data, scope, draw):
    kwargs = dict(status=draw(st.one_of(st.none(), st.sampled_from(JOB_STATUSES),
                                        st.lists(st.sampled_from(JOB_STATUSES), max_size=3))),
                  site_id=draw(_site(data)), date_from=draw(dates), date_to=draw(dates), search=draw(searches),
                  sort=draw(st.one_of(st.sampled_from(jobs.SORT_CHOICES), junk_sort)),
                  descending=draw(st.booleans()), **draw(paging))
    if "job_status" not in scope.rights:
        return _refused(data, RightMissing, jobs.list_jobs, scope, **kwargs)
    with data.engine.connect() as conn:
        page = jobs.list_jobs(scope, conn, **kwargs)
    _page_belongs(data, "jobs", page, scope.client_id, kwargs["page_size"])


def call_list_completed(data, scope, draw):
    kwargs = dict(site_id=draw(_site(data)), date_from=draw(dates), date_to=draw(dates), search=draw(searches),
                  **draw(paging))
    if "completed_jobs" not in scope.rights:
        return _refused(data, RightMissing, jobs.list_completed, scope, **kwargs)
    with data.engine.connect() as conn:
        page = jobs.list_completed(scope, conn, **kwargs)
    _page_belongs(data, "jobs", page, scope.client_id, kwargs["page_size"])
    assert set(page.rows["status"]) <= {"completed"}


def call_job_status_csv(data, scope, draw):
    kwargs = dict(status=draw(st.one_of(st.none(), st.sampled_from(JOB_STATUSES))), site_id=draw(_site(data)),
                  date_from=draw(dates), date_to=draw(dates), search=draw(searches),
                  sort=draw(st.sampled_from(jobs.SORT_CHOICES)), descending=draw(st.booleans()))
    if "job_status" not in scope.rights:
        return _refused(data, RightMissing, jobs.job_status_csv, scope, **kwargs)
    with data.engine.connect() as conn:
        raw = jobs.job_status_csv(scope, conn, **kwargs)
        listed = jobs.list_jobs(scope, conn, **kwargs, page=1, page_size=500)
    lines = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert {data.ref_owner["jobs"][line["Ref"]] for line in lines} <= {scope.client_id}
    assert len(lines) == listed.total


def call_list_assets(data, scope, draw):
    kwargs = dict(site_id=draw(_site(data)), category=draw(st.one_of(st.none(), st.sampled_from(list(demo.CATEGORIES)))),
                  search=draw(searches), sort=draw(st.one_of(st.sampled_from(assets.ASSET_SORT_CHOICES), junk_sort)),
                  descending=draw(st.booleans()), **draw(paging))
    if "asset_services" not in scope.rights:
        return _refused(data, RightMissing, assets.list_assets, scope, **kwargs)
    with data.engine.connect() as conn:
        page = assets.list_assets(scope, conn, **kwargs)
    _page_belongs(data, "assets", page, scope.client_id, kwargs["page_size"])


def call_services(data, scope, draw):
    upcoming = draw(st.booleans())
    if upcoming:
        kwargs = dict(days=draw(st.integers(-5, 400)), site_id=draw(_site(data)), search=draw(searches), **draw(paging))
        fn = assets.upcoming_services
    else:
        kwargs = dict(site_id=draw(_site(data)), date_from=draw(dates), date_to=draw(dates), search=draw(searches),
                      **draw(paging))
        fn = assets.completed_services
    if "asset_services" not in scope.rights:
        return _refused(data, RightMissing, fn, scope, **kwargs)
    with data.engine.connect() as conn:
        page = fn(scope, conn, **kwargs)
    _page_belongs(data, "asset_services", page, scope.client_id, kwargs["page_size"])


def call_list_invoices(data, scope, draw):
    kwargs = dict(status=draw(st.one_of(st.none(), st.sampled_from(invoices.STATUSES))), date_from=draw(dates),
                  date_to=draw(dates), search=draw(searches),
                  sort=draw(st.one_of(st.sampled_from(invoices.SORT_CHOICES), junk_sort)),
                  descending=draw(st.booleans()), **draw(paging))
    if "invoices" not in scope.rights:
        return _refused(data, RightMissing, invoices.list_invoices, scope, **kwargs)
    with data.engine.connect() as conn:
        page = invoices.list_invoices(scope, conn, **kwargs)
        per = invoices.totals(scope, conn, date_from=kwargs["date_from"], date_to=kwargs["date_to"],
                              search=kwargs["search"])
    _page_belongs(data, "invoices", page, scope.client_id, kwargs["page_size"])
    status = kwargs["status"]
    expected = per["invoices"].sum() if status is None else per.set_index("status").at[status, "invoices"]
    assert page.total == expected


def call_site_options(data, scope, draw):
    if not scope.rights & assets.SITE_FILTER_RIGHTS:
        return _refused(data, RightMissing, assets.site_options, scope)
    with data.engine.connect() as conn:
        options = assets.site_options(scope, conn)
    assert {data.owner["sites"][i] for i in options} <= {scope.client_id}


def call_figures(data, scope, draw):
    with data.engine.connect() as conn:
        numbers = home.summary(scope, conn, today=TODAY)
        shown = home.figures(scope, conn, today=TODAY)
        charts = home.charts(scope, conn, today=TODAY)
    expected = _expected_figures(data, scope)
    assert numbers == expected
    assert bool(shown) == bool(expected)
    assert set(charts) == ({"Jobs by status"} if "job_status" in scope.rights else set()) | (
        {"Outstanding invoices by age"} if "invoices" in scope.rights else set())
    if "job_status" in scope.rights:
        assert charts["Jobs by status"]["Jobs"].sum() == len(data.own("jobs", scope.client_id))


def _expected_figures(data: Data, scope: MemberScope) -> dict:
    out = {}
    own_jobs = data.own("jobs", scope.client_id)
    if "job_status" in scope.rights:
        out["open_jobs"] = int(own_jobs["status"].isin(jobs.OPEN_STATUSES).sum())
    if "completed_jobs" in scope.rights:
        done = own_jobs[own_jobs["status"] == "completed"]["completed_at"].dropna()
        out["completed_this_month"] = int(((done >= pd.Timestamp(TODAY.replace(day=1)))
                                           & (done < pd.Timestamp(TODAY + dt.timedelta(days=1)))).sum())
    if "invoices" in scope.rights:
        inv = data.own("invoices", scope.client_id)
        unpaid = inv[inv["amount_paid"] < inv["total"]]
        overdue, due = unpaid[unpaid["due_on"] < TODAY], unpaid[unpaid["due_on"] >= TODAY]
        out["overdue_invoices"], out["due_invoices"] = len(overdue), len(due)
        out["overdue_amount"] = sum((overdue["total"] - overdue["amount_paid"]), Decimal("0"))
        out["due_amount"] = sum((due["total"] - due["amount_paid"]), Decimal("0"))
    if "asset_services" in scope.rights:
        sv = data.own("asset_services", scope.client_id)
        open_ = sv[sv["completed_on"].isna() & (sv["due_on"] <= TODAY + dt.timedelta(days=home.UPCOMING_DAYS))]
        out["services_overdue"] = int((open_["due_on"] < TODAY).sum())
        out["services_due"] = int((open_["due_on"] >= TODAY).sum())
    return out


def _by_id(data, scope, draw, table, fn, own_right=None, check=None):
    """Fetch a record of any client by id: another client's must be refused, an own one checked."""
    record_id = draw(_id_near(data, table, scope.client_id))
    owner = data.owner[table][record_id]
    frame = data.frames[table].set_index("id")
    may = bool(scope.rights & (DOC_RIGHTS | ({own_right} if own_right else set())))
    if not may:
        event(f"{fn.__name__}: right missing")
        return _refused(data, RightMissing, fn, scope, record_id)
    if owner != scope.client_id:
        event(f"{fn.__name__}: other client's record")
        return _refused(data, NotFound, fn, scope, record_id)
    with data.engine.connect() as conn:
        try:
            result = fn(scope, conn, record_id)
        except (NotFound, RightMissing, jobs.JobNotCompleted) as refused:
            event(f"{fn.__name__}: own record refused ({type(refused).__name__})")
            return
    event(f"{fn.__name__}: own record returned")
    if check:
        check(result, frame.at[record_id, "ref"])


def call_invoice_pdf(data, scope, draw):
    _by_id(data, scope, draw, "invoices", pdf.invoice_pdf, "invoices",
           lambda raw, ref: _pdf_belongs(data, raw, "invoices", ref, scope.client_id))


def call_quote_pdf(data, scope, draw):
    _by_id(data, scope, draw, "quotes", pdf.quote_pdf, None,
           lambda raw, ref: _pdf_belongs(data, raw, "quotes", ref, scope.client_id))


def call_form_pdf(data, scope, draw):
    _by_id(data, scope, draw, "workflow_forms", pdf.workflow_form_pdf, None,
           lambda raw, ref: _pdf_belongs(data, raw, "workflow_forms", ref, scope.client_id))


def call_service_pdf(data, scope, draw):
    _by_id(data, scope, draw, "asset_services", pdf.service_record_pdf, "asset_services",
           lambda raw, ref: _pdf_belongs(data, raw, "asset_services", ref, scope.client_id))


def call_get_records(data, scope, draw):
    table, fn, own = draw(st.sampled_from([("invoices", invoices.get_invoice, "invoices"),
                                           ("quotes", quotes.get_quote, None),
                                           ("workflow_forms", workflow_forms.get_form, None),
                                           ("asset_services", assets.service_record, "asset_services")]))

    def check(record, ref):
        assert record["client_id"] == scope.client_id and record["ref"] == ref

    _by_id(data, scope, draw, table, fn, own, check)


def call_job_documents(data, scope, draw):
    def check(frame, ref):
        for kind, table in (("Workflow form", "workflow_forms"), ("Quote", "quotes"), ("Invoice", "invoices"),
                            ("Asset service record", "asset_services")):
            ids = frame[frame["kind"] == kind]["id"]
            assert {data.owner[table][int(i)] for i in ids} <= {scope.client_id}

    _by_id(data, scope, draw, "jobs", jobs.job_documents, None, check)


def call_job_zip(data, scope, draw):
    def check(raw, ref):
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for name in archive.namelist():
                assert name.startswith(f"{ref}/")
                assert re.sub(r"\s+", " ", data.client_names[scope.client_id]) in _pdf_text(archive.read(name))

    _by_id(data, scope, draw, "jobs", pdf.job_zip, None, check)


CALLS = [call_list_jobs, call_list_completed, call_job_status_csv, call_list_assets, call_services,
         call_list_invoices, call_site_options, call_figures, call_invoice_pdf, call_quote_pdf, call_form_pdf,
         call_service_pdf, call_get_records, call_job_documents, call_job_zip]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(choice=st.data())
def test_every_member_facing_result_belongs_to_the_members_client(data, choice):
    client_id = choice.draw(st.sampled_from(data.client_ids), label="client")
    rights = choice.draw(st.frozensets(st.sampled_from(sorted(RIGHTS))), label="rights")
    call = choice.draw(st.sampled_from(CALLS), label="function")
    call(data, _scope(data, client_id, rights), choice.draw)


@settings(max_examples=40, deadline=None)
@given(choice=st.data())
def test_a_member_without_any_right_gets_nothing_but_its_own_site_names(data, choice):
    client_id = choice.draw(st.sampled_from(data.client_ids))
    scope = _scope(data, client_id, frozenset())
    with data.engine.connect() as conn:
        for fn in (jobs.list_jobs, jobs.list_completed, jobs.job_status_csv, jobs.status_counts,
                   assets.list_assets, assets.upcoming_services, assets.completed_services, invoices.list_invoices,
                   invoices.totals, invoices.ageing):
            with pytest.raises(RightMissing):
                fn(scope, conn)
        for fn, table in ((pdf.invoice_pdf, "invoices"), (pdf.quote_pdf, "quotes"),
                          (pdf.workflow_form_pdf, "workflow_forms"), (pdf.service_record_pdf, "asset_services"),
                          (pdf.job_zip, "jobs"), (jobs.job_documents, "jobs")):
            with pytest.raises(RightMissing):
                fn(scope, conn, choice.draw(_id_of(data, table)))
        assert home.summary(scope, conn) == {}


# --- generated data sets: the data itself drawn by hypothesis, checked against an exact oracle ----

TEXT = st.text(alphabet="abcXYZ 019=+-@'\"€ëłĲ,;", min_size=1, max_size=12).map(str.strip).filter(bool)
PAID = {"none": "0", "part": "1.00", "full": "1000000.00"}


@st.composite
def datasets(draw):
    """Frames of SPEC §8 for 2-4 clients, each with 0-7 jobs and 0-5 invoices of drawn shape."""
    rows: dict[str, list[dict]] = {k.name: [] for k in loader.KINDS}
    expected: dict[str, dict] = {}
    for c in range(draw(st.integers(2, 4))):
        client = f"GC{c}"
        rows["clients"].append({"client_ref": client, "name": f"Generated client {c}", "email": None,
                                "phone": None, "address": None})
        rows["sites"].append({"site_ref": f"GS{c}", "client_ref": client, "name": f"Site {c}", "address": None})
        jobs_of, invoices_of = {}, {}
        for j in range(draw(st.integers(0, 7))):
            status = draw(st.sampled_from(JOB_STATUSES))
            title = draw(TEXT)
            ref = f"GJ{c}-{j}"
            jobs_of[ref] = (status, title)
            rows["jobs"].append({
                "job_ref": ref, "client_ref": client, "site_ref": f"GS{c}", "title": title, "description": None,
                "status": status, "technician": None, "scheduled_for": None,
                "completed_at": f"{TODAY - dt.timedelta(days=j)} 12:00" if status == "completed" else None,
                "created_at": f"{TODAY - dt.timedelta(days=10 + j)} 09:00"})
        for i in range(draw(st.integers(0, 5))):
            ref, due = f"GI{c}-{i}", draw(st.integers(-40, 40))
            price = draw(st.decimals(min_value=10, max_value=5000, places=2))
            paid = draw(st.sampled_from(sorted(PAID)))
            net = price.quantize(Decimal("0.01"))
            total = net + (net * 21 / 100).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
            status = "paid" if paid == "full" else ("overdue" if due < 0 else "due")
            invoices_of[ref] = (status, total - min(Decimal(PAID[paid]), total))
            rows["invoices"].append({"invoice_ref": ref, "client_ref": client, "job_ref": None,
                                     "issued_on": str(TODAY - dt.timedelta(days=30)),
                                     "due_on": str(TODAY + dt.timedelta(days=due)), "amount_paid": PAID[paid],
                                     "paid_on": None})
            rows["invoice_lines"].append({"invoice_ref": ref, "line_no": "1", "description": draw(TEXT),
                                          "quantity": "1", "unit_price": str(price), "vat_rate": "21"})
        expected[client] = {"jobs": jobs_of, "invoices": invoices_of}
    frames = {name: pd.DataFrame(data, columns=list(loader.KINDS_BY_NAME[name].columns))
              for name, data in rows.items()}
    return frames, expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=datasets(), page_size=st.integers(1, 4))
def test_on_generated_data_each_member_sees_exactly_its_own_clients_records(tmp_path_factory, generated, page_size):
    frames, expected = generated
    engine = make_engine(f"duckdb:///{tmp_path_factory.mktemp('gen') / 'portal.duckdb'}")
    try:
        schema.init(engine)
        with engine.begin() as conn:
            loader.load(conn, frames)
        with engine.connect() as conn:
            ids = dict(conn.execute(sa.select(schema.clients.c.ref, schema.clients.c.id)).all())
            for client, own in expected.items():
                scope = MemberScope(0, "m@x.example", "M", ids[client], client, frozenset(RIGHTS))
                first = jobs.list_jobs(scope, conn, page_size=page_size)
                listed = [ref for n in range(1, -(-first.total // page_size) + 1)
                          for ref in jobs.list_jobs(scope, conn, page=n, page_size=page_size).rows["ref"]]
                assert sorted(listed) == sorted(own["jobs"])

                lines = list(csv.DictReader(io.StringIO(jobs.job_status_csv(scope, conn).decode("utf-8-sig"),
                                                        newline="")))
                assert [line["Ref"] for line in lines] == listed
                for line in lines:
                    title = own["jobs"][line["Ref"]][1]
                    assert line["Title"] == ("'" + title if title[0] in "=+-@" else title)

                got = invoices.list_invoices(scope, conn, page_size=500, today=TODAY).rows
                assert dict(zip(got["ref"], got["status"])) == {r: s for r, (s, _) in own["invoices"].items()}
                per = invoices.totals(scope, conn, today=TODAY).set_index("status")
                for status in invoices.STATUSES:
                    mine = [left for s, left in own["invoices"].values() if s == status]
                    assert per.at[status, "invoices"] == len(mine)
                    assert per.at[status, "outstanding"] == sum(mine, Decimal("0"))
    finally:
        engine.dispose()
