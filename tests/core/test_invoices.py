"""Invoices: derived status at its boundaries, totals per status, access to one invoice."""
import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core import db, invoices
from core.errors import NotFound, RightMissing, ValidationError
from core.schema import invoices as invoices_table
from tests.factory import build_world

TODAY = dt.date(2026, 3, 31)


@pytest.fixture
def pinned(engine, monkeypatch):
    """The two-client world built and read on a fixed today."""
    monkeypatch.setattr(db, "today", lambda: TODAY)
    return build_world(engine, today=TODAY)


def _add_invoice(world, ref, *, due_days, total="121.00", paid="0", paid_days=None, letter="A"):
    with world.engine.begin() as conn:
        conn.execute(invoices_table.insert().values(
            client_id=world.client_ids[letter], ref=ref, issued_on=TODAY - dt.timedelta(days=40),
            due_on=TODAY + dt.timedelta(days=due_days), subtotal=Decimal(total), vat_amount=Decimal("0"),
            total=Decimal(total), amount_paid=Decimal(paid),
            paid_on=None if paid_days is None else TODAY + dt.timedelta(days=paid_days)))


def _statuses(world, email="all@a.example", **kw):
    with world.engine.connect() as conn:
        rows = invoices.list_invoices(world.scope(email), conn, page_size=500, **kw).rows
    return dict(zip(rows["ref"], rows["status"]))


@pytest.mark.parametrize("ref, due_days, paid, paid_days, expected", [
    ("DUE-TODAY", 0, "0", None, "due"),
    ("DUE-YESTERDAY", -1, "0", None, "overdue"),
    ("DUE-TOMORROW", 1, "0", None, "due"),
    ("PART-PAID-OVERDUE", -1, "120.99", -2, "overdue"),
    ("PART-PAID-NOT-YET-DUE", 5, "60.00", -1, "due"),
    ("PAID-LATE", -30, "121.00", -2, "paid"),
    ("PAID-EXACTLY-TODAY", 0, "121.00", 0, "paid"),
    ("OVERPAID", -10, "130.00", -12, "paid"),
])
def test_invoice_status_is_derived_relative_to_today(pinned, ref, due_days, paid, paid_days, expected):
    _add_invoice(pinned, ref, due_days=due_days, paid=paid, paid_days=paid_days)
    assert _statuses(pinned)[ref] == expected


def test_status_follows_the_clock_without_any_stored_change(pinned, monkeypatch):
    _add_invoice(pinned, "DUE-TODAY", due_days=0)
    assert _statuses(pinned)["DUE-TODAY"] == "due"
    monkeypatch.setattr(db, "today", lambda: TODAY + dt.timedelta(days=1))
    assert _statuses(pinned)["DUE-TODAY"] == "overdue"


def test_filter_by_status_pages_on_the_server_and_counts_only_that_status(pinned):
    for n in range(7):
        _add_invoice(pinned, f"OLD-{n}", due_days=-5 - n)
    scope = pinned.scope("all@a.example")
    with pinned.engine.connect() as conn:
        first = invoices.list_invoices(scope, conn, status="overdue", page=1, page_size=4)
        second = invoices.list_invoices(scope, conn, status="overdue", page=2, page_size=4)
    # factory: I3-A (due yesterday) and I5-A (part-paid, overdue) + the 7 added
    assert first.total == second.total == 9
    assert len(first.rows) == 4 and len(second.rows) == 4
    assert set(first.rows["status"]) == set(second.rows["status"]) == {"overdue"}
    assert not set(first.rows["ref"]) & set(second.rows["ref"])


def test_totals_per_status_for_client_a_leave_client_b_out(pinned):
    _add_invoice(pinned, "B-EXTRA", due_days=-3, total="1000.00", letter="B")
    with pinned.engine.connect() as conn:
        per = invoices.totals(pinned.scope("all@a.example"), conn).set_index("status")
    assert per.loc["due", "invoices"] == 2 and per.loc["due", "outstanding"] == Decimal("242.00")
    assert per.loc["overdue", "invoices"] == 2 and per.loc["overdue", "outstanding"] == Decimal("192.00")
    assert per.loc["paid", "invoices"] == 1 and per.loc["paid", "total"] == Decimal("121.00")


def test_totals_of_an_empty_client_are_zero_for_every_status(pinned):
    with pinned.engine.connect() as conn:
        per = invoices.totals(pinned.scope("all@c.example"), conn)
    assert list(per["status"]) == ["due", "overdue", "paid"]
    assert per["invoices"].sum() == 0 and sum(per["outstanding"]) == 0


def test_ageing_buckets_sum_to_the_unpaid_outstanding(pinned):
    _add_invoice(pinned, "VERY-OLD", due_days=-120)
    with pinned.engine.connect() as conn:
        aged = invoices.ageing(pinned.scope("all@a.example"), conn).set_index("bucket")
    assert aged.loc["Not yet due", "outstanding"] == Decimal("242.00")
    assert aged.loc["1–30 days", "outstanding"] == Decimal("192.00")
    assert aged.loc["Over 90 days", "outstanding"] == Decimal("121.00")


def test_unknown_status_filter_is_refused_naming_the_field(pinned):
    with pinned.engine.connect() as conn, pytest.raises(ValidationError) as err:
        invoices.list_invoices(pinned.scope("all@a.example"), conn, status="unpaid")
    assert "Status" in err.value.errors


def test_member_without_invoice_right_cannot_list_invoices(pinned):
    with pinned.engine.connect() as conn:
        for fn in (invoices.list_invoices, invoices.totals, invoices.ageing):
            with pytest.raises(RightMissing):
                fn(pinned.scope("none@a.example"), conn)


def test_member_cannot_open_another_clients_invoice_by_id(pinned):
    with pinned.engine.connect() as conn:
        b_id = conn.execute(sa.select(invoices_table.c.id).where(invoices_table.c.ref == "I1-B")).scalar_one()
        with pytest.raises(NotFound):
            invoices.get_invoice(pinned.scope("all@a.example"), conn, b_id)
        assert invoices.get_invoice(pinned.scope("all@b.example"), conn, b_id)["ref"] == "I1-B"


def test_search_matches_invoice_and_job_ref_with_wildcards_taken_literally(pinned):
    assert set(_statuses(pinned, search="i4")) == {"I4-A"}
    assert set(_statuses(pinned, search="j-a5")) == {"I4-A"}
    assert _statuses(pinned, search="%") == {}
