"""Quote and invoice lines: read in line order, and only ever the member's own client's."""
import sqlalchemy as sa

from core.lines import lines_of
from core.schema import invoices, quotes


def _id(conn, table, ref):
    return conn.execute(sa.select(table.c.id).where(table.c.ref == ref)).scalar_one()


def test_member_reads_the_lines_of_its_own_quote_and_invoice(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        quote_lines = lines_of(scope, conn, "quotes", _id(conn, quotes, "Q-A1"))
        invoice_lines = lines_of(scope, conn, "invoices", _id(conn, invoices, "I1-A"))
    assert list(quote_lines["description"]) == ["Labour € hour"]
    assert list(invoice_lines["line_no"]) == [1]


def test_lines_of_another_clients_document_are_never_returned(world):
    scope = world.scope("all@a.example")
    with world.engine.connect() as conn:
        assert lines_of(scope, conn, "quotes", _id(conn, quotes, "Q-B1")).empty
        assert lines_of(scope, conn, "invoices", _id(conn, invoices, "I1-B")).empty
