"""Home: headline figures only for the sections the member may see, counted for its own client."""
from decimal import Decimal

from core import home


def test_member_with_every_right_sees_every_figure_for_own_client(world):
    with world.engine.connect() as conn:
        numbers = home.summary(world.scope("all@a.example"), conn, today=world.today)
    assert numbers["open_jobs"] == 4
    assert numbers["overdue_invoices"] == 2 and numbers["overdue_amount"] == Decimal("192.00")
    assert numbers["due_invoices"] == 2 and numbers["due_amount"] == Decimal("242.00")
    assert numbers["services_overdue"] == 1 and numbers["services_due"] == 1


def test_invoice_only_member_sees_only_invoice_figures(world):
    with world.engine.connect() as conn:
        numbers = home.summary(world.scope("invoices@a.example"), conn)
        labels = [f.label for f in home.figures(world.scope("invoices@a.example"), conn)]
        charts = home.charts(world.scope("invoices@a.example"), conn)
    assert set(numbers) == {"overdue_invoices", "overdue_amount", "due_invoices", "due_amount"}
    assert labels == ["Invoices overdue", "Overdue amount", "Invoices due"]
    assert list(charts) == ["Outstanding invoices by age"]


def test_member_without_rights_sees_no_figures(world):
    with world.engine.connect() as conn:
        assert home.figures(world.scope("none@a.example"), conn) == []
        assert home.charts(world.scope("none@a.example"), conn) == {}


def test_empty_client_sees_zeros_not_errors(world):
    with world.engine.connect() as conn:
        figures = home.figures(world.scope("all@c.example"), conn)
    assert figures and all(f.value in ("0", "€0.00") for f in figures)
