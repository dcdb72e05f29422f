"""The member's home page: headline figures for exactly the sections its rights open."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Connection

from core import assets, db, invoices, jobs
from core.errors import RightMissing
from core.formatting import label, money, number
from core.portal import branding
from core.scope import MemberScope

UPCOMING_DAYS = 30


@dataclass(frozen=True)
class Figure:
    """One headline number as shown: label, formatted value, and a line of help."""

    label: str
    value: str
    help: str = ""


def summary(scope: MemberScope, conn: Connection, *, today: dt.date | None = None) -> dict:
    """Raw headline numbers for the sections the member may see (a section it lacks is absent)."""
    if not isinstance(scope, MemberScope):
        raise RightMissing("portal member")
    today = today or db.today()
    out: dict = {}
    if "job_status" in scope.rights:
        counts = jobs.status_counts(scope, conn).set_index("status")["jobs"]
        out["open_jobs"] = int(sum(counts[s] for s in jobs.OPEN_STATUSES))
    if "completed_jobs" in scope.rights:
        out["completed_this_month"] = jobs.completed_count(scope, conn, date_from=today.replace(day=1), date_to=today)
    if "invoices" in scope.rights:
        per = invoices.totals(scope, conn, today=today).set_index("status")
        out["overdue_invoices"] = int(per.at["overdue", "invoices"])
        out["overdue_amount"] = per.at["overdue", "outstanding"]
        out["due_invoices"] = int(per.at["due", "invoices"])
        out["due_amount"] = per.at["due", "outstanding"]
    if "asset_services" in scope.rights:
        services = assets.due_count(scope, conn, days=UPCOMING_DAYS, today=today)
        out["services_overdue"] = services["overdue"]
        out["services_due"] = services["due"]
    return out


def charts(scope: MemberScope, conn: Connection, *, today: dt.date | None = None) -> dict[str, pd.DataFrame]:
    """Chart-ready frames for the member's sections: jobs by status, invoice ageing (amounts as float)."""
    if not isinstance(scope, MemberScope):
        raise RightMissing("portal member")
    out: dict[str, pd.DataFrame] = {}
    if "job_status" in scope.rights:
        counts = jobs.status_counts(scope, conn)
        out["Jobs by status"] = pd.DataFrame({"Status": [label(s) for s in counts["status"]], "Jobs": counts["jobs"]})
    if "invoices" in scope.rights:
        aged = invoices.ageing(scope, conn, today=today)
        out["Outstanding invoices by age"] = pd.DataFrame({
            "Overdue": aged["bucket"], "Outstanding": [float(v) for v in aged["outstanding"]],
            "Invoices": aged["invoices"]})
    return out


def figures(scope: MemberScope, conn: Connection, *, today: dt.date | None = None) -> list[Figure]:
    """The headline figures as text for `st.metric`, in menu order."""
    numbers = summary(scope, conn, today=today)
    currency = branding(conn).currency
    shown: list[Figure] = []
    if "open_jobs" in numbers:
        shown.append(Figure("Open jobs", number(numbers["open_jobs"]), "Unassigned, assigned, in progress or pending"))
    if "completed_this_month" in numbers:
        shown.append(Figure("Jobs completed this month", number(numbers["completed_this_month"])))
    if "overdue_invoices" in numbers:
        shown.append(Figure("Invoices overdue", number(numbers["overdue_invoices"]),
                            f"{money(numbers['overdue_amount'], currency)} outstanding"))
        shown.append(Figure("Overdue amount", money(numbers["overdue_amount"], currency)))
        shown.append(Figure("Invoices due", number(numbers["due_invoices"]),
                            f"{money(numbers['due_amount'], currency)} to pay"))
    if "services_due" in numbers:
        shown.append(Figure(f"Asset services due in {UPCOMING_DAYS} days", number(numbers["services_due"])))
        shown.append(Figure("Asset services overdue", number(numbers["services_overdue"])))
    return shown
