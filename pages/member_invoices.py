"""Member page: Invoices — Due / Overdue / Paid with totals per status, View PDF per invoice."""
import streamlit as st

from core import invoices, pdf
from core.errors import PortalError
from core.formatting import money, number, table
from ui import context
from ui.member import date_range, row_pdf_download
from ui.widgets import page_number, pager, plain, show_error

SORTS = {"issued": "Issued", "due": "Due date", "ref": "Ref", "total": "Total"}

scope = context.member_scope()
engine = context.engine()

st.title("Invoices")
st.caption(plain(scope.client_name))

currency = context.brand().currency
with engine.connect() as conn:
    top = st.columns([2, 3, 3])
    status = top[0].selectbox("Status", ["", *invoices.STATUSES], key="inv_status",
                              format_func=lambda s: invoices.STATUS_LABELS.get(s, "All statuses"))
    search = top[1].text_input("Search invoice or job ref", key="inv_search")
    with top[2]:
        date_from, date_to = date_range("Issued", key="inv_issued")
    row = st.columns([2, 2, 4])
    sort = row[0].selectbox("Sort by", list(SORTS), format_func=SORTS.get, key="inv_sort")
    descending = row[1].selectbox("Order", [True, False], key="inv_desc",
                                  format_func=lambda d: "Newest / highest first" if d else "Oldest / lowest first")
    try:
        per_status = invoices.totals(scope, conn, date_from=date_from, date_to=date_to, search=search)
        result = invoices.list_invoices(scope, conn, status=status, date_from=date_from, date_to=date_to,
                                        search=search, sort=sort, descending=descending,
                                        page=page_number("inv_page"))
    except PortalError as exc:
        show_error(exc)
        st.stop()

    cols = st.columns(3)
    for col, line in zip(cols, per_status.itertuples(index=False)):
        amount = line.total if line.status == "paid" else line.outstanding
        col.metric(invoices.STATUS_LABELS[line.status], money(amount, currency))
        col.caption(f"{number(line.invoices)} invoice{'s' if line.invoices != 1 else ''}")

    if result.total == 0:
        filtered = status or search or date_from or date_to
        st.info("No invoices match these filters." if filtered else "There are no invoices for your organisation yet.")
        st.stop()

    st.dataframe(
        table(result.rows, {"ref": "Invoice", "status": "Status", "issued_on": "Issued", "due_on": "Due",
                            "total": "Total", "amount_paid": "Paid", "outstanding": "Outstanding",
                            "job_ref": "Job"},
              label_cols=["status"], date_cols=["issued_on", "due_on"],
              money_cols=["total", "amount_paid", "outstanding"], currency=currency),
        hide_index=True, width="stretch",
    )
    pager(result, key="inv_page")

    row_pdf_download(result.rows, choose_label="Invoice", button_label="View PDF", build=pdf.invoice_pdf,
                     file_prefix="invoice", key="inv_pdf")
