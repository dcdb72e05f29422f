"""The priced lines of a quote or an invoice, read for one document of the member's client."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.db import read_frame
from core.schema import invoice_lines, quote_lines
from core.scope import MemberScope

_PARENT = {"quotes": (quote_lines, quote_lines.c.quote_id), "invoices": (invoice_lines, invoice_lines.c.invoice_id)}


def lines_of(scope: MemberScope, conn: Connection, kind: str, document_id: int) -> pd.DataFrame:
    """Lines of quote or invoice `document_id` (kind "quotes" or "invoices"), in line order.

    The caller has fetched the document itself for this scope; the client filter is repeated here
    so that a line can only ever come from the member's own client.
    """
    table, parent = _PARENT[kind]
    return read_frame(conn, (
        sa.select(table.c.line_no, table.c.description, table.c.quantity, table.c.unit_price, table.c.vat_rate)
        .where(parent == document_id, table.c.client_id == scope.client_id)
        .order_by(table.c.line_no)
    ))
