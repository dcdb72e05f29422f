"""One factory for test data: two clients with everything, an empty third, members, staff.

Every test can ask "and can the other client see it?": client A and client B hold the same kinds
of records (jobs in every status, quotes, invoices Due/Overdue/Paid, assets and services, forms),
client C holds nothing. Text with formula-like and non-Latin content is in client A's data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core import loader
from core import scope as scope_core
from core.accounts import hash_password, normalise_email
from core.db import utcnow
from core.rights import NOTIFY_COLUMNS, RIGHT_COLUMNS
from core.schema import accounts, clients, portal_settings

PASSWORD = "correct horse battery"
ALL_RIGHTS = tuple(RIGHT_COLUMNS)
TRICKY_TITLE = '=HYPERLINK("http://x")'
UNICODE_TEXT = "Prijs € 10 — café Zoë, Łódź, ĲSSEL"


@dataclass
class World:
    engine: Engine
    today: dt.date
    client_ids: dict[str, int] = field(default_factory=dict)
    account_ids: dict[str, int] = field(default_factory=dict)

    def scope(self, email: str):
        """The scope of an account, loaded the way app.py loads it."""
        with self.engine.connect() as conn:
            return scope_core.load(conn, email)


def _d(today: dt.date, days: int) -> str:
    return (today + dt.timedelta(days=days)).isoformat()


def _ts(today: dt.date, days: int, hour: int = 10) -> str:
    return f"{_d(today, days)} {hour:02d}:00"


def business_frames(today: dt.date, letters: tuple[str, ...] = ("A", "B")) -> dict[str, pd.DataFrame]:
    """SPEC §8 frames for clients A and B (and the empty client C)."""
    rows: dict[str, list[dict]] = {k.name: [] for k in loader.KINDS}
    names = {"A": f"Alpha Care {UNICODE_TEXT}", "B": "Bravo Buildings Ltd", "C": "Charlie Empty B.V."}
    for letter in (*letters, "C"):
        rows["clients"].append({"client_ref": f"C-{letter}", "name": names[letter], "email": f"info@{letter.lower()}.example",
                                "phone": "+31 20 000 0000", "address": f"Street {letter} 1, Amsterdam"})
    for letter in letters:
        c = f"C-{letter}"
        for s in (1, 2):
            rows["sites"].append({"site_ref": f"S-{letter}{s}", "client_ref": c, "name": f"{letter} site {s}",
                                  "address": f"Road {s}, Utrecht"})
        for a in (1, 2, 3):
            rows["assets"].append({"asset_ref": f"A-{letter}{a}", "client_ref": c, "site_ref": f"S-{letter}{1 + a % 2}",
                                   "name": f"{letter} boiler {a}", "category": "Boilers", "make": "Remeha",
                                   "model": "Tzerra", "serial_number": f"SN-{letter}{a}", "installed_on": _d(today, -900)})
        statuses = ["unassigned", "assigned", "in_progress", "pending", "completed", "completed", "completed", "cancelled"]
        for j, status in enumerate(statuses, start=1):
            done = status == "completed"
            title = TRICKY_TITLE if (letter == "A" and j == 5) else f"{letter} job {j} {status}"
            rows["jobs"].append({
                "job_ref": f"J-{letter}{j}", "client_ref": c, "site_ref": f"S-{letter}{1 + j % 2}", "title": title,
                "description": UNICODE_TEXT if letter == "A" else "Plain description", "status": status,
                "technician": None if status == "unassigned" else "Piotr Łukasz",
                "scheduled_for": _ts(today, -10 + j), "completed_at": _ts(today, -20 + j, 15) if done else None,
                "created_at": _ts(today, -40 + j),
            })
        for j in (5, 6):  # forms on completed jobs, and one on an open job
            rows["workflow_forms"].append({"form_ref": f"F-{letter}{j}", "job_ref": f"J-{letter}{j}",
                                           "name": "Safety checklist", "completed_at": _ts(today, -15 + j)})
        rows["workflow_forms"].append({"form_ref": f"F-{letter}2", "job_ref": f"J-{letter}2",
                                       "name": "Pre-start check", "completed_at": None})
        for f in (f"F-{letter}5", f"F-{letter}6", f"F-{letter}2"):
            for pos, (q, ans) in enumerate([("Area made safe?", "Yes"), ("Remarks", UNICODE_TEXT)], start=1):
                rows["workflow_answers"].append({"form_ref": f, "position": str(pos), "question": q, "answer": ans})
        services = [  # (asset, due offset, completed offset, job)
            (1, -30, -29, f"J-{letter}5"), (1, -5, None, None), (2, 10, None, None), (3, 40, None, None),
            (2, -60, -58, f"J-{letter}6"), (3, 200, None, None),
        ]
        for n, (a, due, doneoff, job) in enumerate(services, start=1):
            rows["asset_services"].append({
                "service_ref": f"SV-{letter}{n}", "asset_ref": f"A-{letter}{a}", "service_type": "Annual inspection",
                "due_on": _d(today, due), "completed_on": _d(today, doneoff) if doneoff is not None else None,
                "job_ref": job, "result": "Passed" if doneoff is not None else None,
                "notes": UNICODE_TEXT if doneoff is not None else None,
            })
        for q, status in enumerate(["draft", "awaiting_approval", "approved", "declined", "expired"], start=1):
            rows["quotes"].append({"quote_ref": f"Q-{letter}{q}", "client_ref": c,
                                   "job_ref": f"J-{letter}5" if q == 3 else None, "title": f"{letter} quote {q}",
                                   "status": status, "issued_on": _d(today, -20), "valid_until": _d(today, 10)})
            rows["quote_lines"].append({"quote_ref": f"Q-{letter}{q}", "line_no": "1", "description": "Labour € hour",
                                        "quantity": "2", "unit_price": "50.00", "vat_rate": "21"})
        # Invoices: due in future (Due), due today (Due), due yesterday (Overdue), paid, part-paid overdue.
        invoices = [("I1", 10, "0", None), ("I2", 0, "0", None), ("I3", -1, "0", None),
                    ("I4", -30, "121.00", -35), ("I5", -3, "50.00", -4)]
        for ref, due, paid, paid_on in invoices:
            rows["invoices"].append({"invoice_ref": f"{ref}-{letter}", "client_ref": c,
                                     "job_ref": f"J-{letter}5" if ref == "I4" else None,
                                     "issued_on": _d(today, due - 30), "due_on": _d(today, due), "amount_paid": paid,
                                     "paid_on": _d(today, paid_on) if paid_on is not None else None})
            rows["invoice_lines"].append({"invoice_ref": f"{ref}-{letter}", "line_no": "1",
                                          "description": "Service ë", "quantity": "1", "unit_price": "100.00",
                                          "vat_rate": "21"})
    return {name: pd.DataFrame(data, columns=list(loader.KINDS_BY_NAME[name].columns)) for name, data in rows.items()}


MEMBERS = {
    # email: (client letter, rights, notifications)
    "all@a.example": ("A", ALL_RIGHTS, tuple(NOTIFY_COLUMNS)),
    "invoices@a.example": ("A", ("invoices",), ("invoices",)),
    "none@a.example": ("A", (), ()),
    "all@b.example": ("B", ALL_RIGHTS, ("jobs",)),
    "all@c.example": ("C", ALL_RIGHTS, ()),
}
STAFF = "staff@business.example"


def add_member(conn, email: str, client_id: int, rights=(), notifications=(), *, password: str | None = PASSWORD,
               active: bool = True, first_name: str = "Test", last_name: str = "Member") -> int:
    """Insert a member account directly (tests that are not about creating members)."""
    now = utcnow()
    values = {
        "email": normalise_email(email), "role": "member", "client_id": client_id, "first_name": first_name,
        "last_name": last_name, "job_title": "Tester", "active": active, "created_at": now,
        "password_hash": hash_password(password) if password else None, "invited_at": now,
        "activated_at": now if password else None,
    }
    values.update({RIGHT_COLUMNS[k]: k in rights for k in RIGHT_COLUMNS})
    values.update({NOTIFY_COLUMNS[k]: k in notifications for k in NOTIFY_COLUMNS})
    return conn.execute(accounts.insert().values(**values).returning(accounts.c.id)).scalar_one()


def add_staff(conn, email: str = STAFF, *, password: str = PASSWORD) -> int:
    """Insert an active staff account."""
    now = utcnow()
    return conn.execute(accounts.insert().values(
        email=normalise_email(email), role="staff", first_name="Sam", last_name="Staff", job_title="Planner",
        password_hash=hash_password(password), active=True, created_at=now, activated_at=now,
        receives_work_requests=True,
    ).returning(accounts.c.id)).scalar_one()


def build_world(engine: Engine, today: dt.date | None = None, *, setup_completed: bool = True) -> World:
    """Load the two-client business data, the members of MEMBERS and one staff account."""
    today = today or dt.date.today()
    world = World(engine=engine, today=today)
    with engine.begin() as conn:
        loader.load(conn, business_frames(today))
        conn.execute(portal_settings.update().where(portal_settings.c.id == 1).values(
            portal_name="Test Portal", setup_completed=setup_completed, support_contact="help@business.example"))
        world.client_ids = {r.ref[-1]: r.id for r in conn.execute(sa.select(clients.c.id, clients.c.ref))}
        for email, (letter, rights, notes) in MEMBERS.items():
            world.account_ids[email] = add_member(conn, email, world.client_ids[letter], rights, notes)
        world.account_ids[STAFF] = add_staff(conn)
    return world
