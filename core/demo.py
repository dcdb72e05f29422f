"""Deterministic demo data (SPEC §9 `python -m core demo`), small or "large contractor".

Everything is generated as SPEC §8 import frames (text columns keyed by refs) and written through
`core.loader`, the same path real imports take. Dates are relative to `today`, so that invoices
are Due, Overdue and Paid and services upcoming or overdue whenever the demo is loaded.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from faker import Faker
from sqlalchemy.engine import Connection, Engine

from core import accounts as accounts_core
from core import loader
from core.db import utcnow
from core.rights import NOTIFY_COLUMNS, RIGHT_COLUMNS
from core.schema import accounts, clients, document_restrictions, documents, jobs, portal_settings, sites, work_requests

DEMO_PASSWORD = "portal-demo-2026"
SEED = 20261127


@dataclass(frozen=True)
class Scale:
    """Row counts of one demo data set size."""

    clients: int
    sites: int
    assets: int
    services: int
    jobs: int
    quotes: int
    invoices: int
    extra_members: int
    largest_share: float


SCALES = {
    "small": Scale(clients=12, sites=40, assets=300, services=1_500, jobs=3_000, quotes=600,
                   invoices=1_500, extra_members=10, largest_share=0.25),
    "large": Scale(clients=2_000, sites=10_000, assets=200_000, services=1_000_000, jobs=500_000,
                   quotes=100_000, invoices=400_000, extra_members=20_000, largest_share=0.05),
}

# The demo logins (README and login page list them). Client A is the largest demo client.
DEMO_LOGINS = (
    # email, first, last, job title, client index (None = staff), rights, notifications
    ("staff@demo.example", "Sam", "Staff", "Planner", None, (), ()),
    ("all.rights@client-a.example", "Anna", "de Vries", "Facility manager", 0,
     tuple(RIGHT_COLUMNS), tuple(NOTIFY_COLUMNS)),
    ("invoices@client-a.example", "Bram", "Jansen", "Accounts payable", 0, ("invoices",), ("invoices",)),
    ("no.rights@client-a.example", "Cor", "Bakker", "Caretaker", 0, (), ()),
    ("all.rights@client-b.example", "Dana", "Smith", "Operations lead", 1,
     tuple(RIGHT_COLUMNS), ("jobs",)),
    ("jobs@client-b.example", "Eli", "Visser", "Site supervisor", 1,
     ("job_status", "completed_jobs", "work_requests"), ("jobs",)),
    ("documents@client-a.example", "Femke", "Mulder", "Office manager", 0, ("documents", "work_requests"), ()),
)

CATEGORIES = np.array(["HVAC", "Fire safety", "Electrical", "Plumbing", "Lifts", "Access control",
                       "Boilers", "Solar"])
MAKES = np.array(["Daikin", "Vaillant", "Siemens", "Bosch", "Schneider", "Kone", "Remeha", "ABB"])
SERVICE_TYPES = np.array(["Annual inspection", "Quarterly maintenance", "Filter replacement",
                          "Safety test", "Calibration", "NEN 3140 inspection"])
JOB_TITLES = np.array(["Replace filter", "Repair leak", "Inspect installation", "Service boiler",
                       "Fix lighting", "Test fire alarm", "Install sensor", "Clear blockage",
                       "Lift maintenance", "Emergency call-out"])
TECHNICIANS = np.array(["Jeroen Mulder", "Fatima El Amrani", "Piotr Łukasz", "Sanne Smit", "Tom Bakker",
                        "Ĳsbrand de Wit"])
FORM_NAMES = np.array(["Safety checklist", "Commissioning report", "Work completion form"])
QUESTIONS = ("Was the work area made safe?", "Were all parts replaced as listed?",
             "Readings within tolerance?", "Customer briefed on the result?", "Remarks")
ANSWERS = np.array(["Yes", "No", "Yes, checked twice", "Not applicable", "Pressure 1.8 bar — OK"])
LINE_ITEMS = np.array(["Labour (hour)", "Call-out charge", "Filter set", "Valve", "Sensor",
                       "Travel costs", "Materials", "Inspection fee"])
STATUS_P = {"unassigned": 0.05, "assigned": 0.08, "in_progress": 0.05, "pending": 0.04,
            "completed": 0.75, "cancelled": 0.03}
QUOTE_STATUS_P = {"draft": 0.1, "awaiting_approval": 0.25, "approved": 0.4, "declined": 0.15, "expired": 0.1}


def _client_weights(rng: np.random.Generator, scale: Scale) -> np.ndarray:
    weights = rng.uniform(0.5, 1.5, scale.clients)
    weights[0] = scale.largest_share / (1 - scale.largest_share) * weights[1:].sum()
    return weights / weights.sum()


def _dates(base: dt.date, offsets: np.ndarray) -> np.ndarray:
    return (np.datetime64(base) + offsets.astype("timedelta64[D]")).astype("datetime64[D]")


def _iso(values: np.ndarray, fmt: str = "date") -> pd.Series:
    s = pd.Series(values)
    if fmt == "date":
        out = pd.to_datetime(s).dt.strftime("%Y-%m-%d")
    else:
        out = pd.to_datetime(s).dt.strftime("%Y-%m-%d %H:%M")
    return out.astype("string")


def _refs(prefix: str, n: int) -> pd.Series:
    return pd.Series([f"{prefix}{i:07d}" for i in range(1, n + 1)], dtype="string")


def _pick_within_group(rng, group_of_item: np.ndarray, candidates_group: np.ndarray) -> np.ndarray:
    """For each item, the index of a random candidate of the same group (-1 where none)."""
    order = np.argsort(candidates_group, kind="stable")
    sorted_groups = candidates_group[order]
    start = np.searchsorted(sorted_groups, group_of_item, side="left")
    end = np.searchsorted(sorted_groups, group_of_item, side="right")
    count = end - start
    pick = start + np.floor(rng.random(len(group_of_item)) * np.maximum(count, 1)).astype(int)
    result = np.where(count > 0, order[np.minimum(pick, len(order) - 1)], -1)
    return result


def frames(scale_name: str = "small", today: dt.date | None = None, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The demo business data as SPEC §8 frames (deterministic for a given seed and today)."""
    today = today or dt.date.today()
    scale = SCALES[scale_name]
    rng = np.random.default_rng(seed)
    fake = Faker(["nl_NL", "en_GB"])
    fake.seed_instance(seed)
    weights = _client_weights(rng, scale)

    # Clients: the first two get stable names so that the demo logins read naturally.
    names = ["Jansen Installatietechniek B.V.", "Harbour View Facilities Ltd"]
    names += [fake.unique.company() for _ in range(scale.clients - 2)]
    client_refs = pd.Series([f"CL{i:05d}" for i in range(1, scale.clients + 1)], dtype="string")
    clients_df = pd.DataFrame({
        "client_ref": client_refs,
        "name": names,
        "email": [f"info@client-{i}.example" for i in range(1, scale.clients + 1)],
        "phone": [fake.phone_number() for _ in range(scale.clients)],
        "address": [fake.address().replace("\n", ", ") for _ in range(scale.clients)],
    })

    # Sites: every client at least one, the rest by weight.
    site_client = np.concatenate([np.arange(scale.clients),
                                  rng.choice(scale.clients, scale.sites - scale.clients, p=weights)])
    site_client.sort(kind="stable")
    streets = [fake.street_address() for _ in range(min(scale.sites, 5000))]
    cities = [fake.city() for _ in range(min(scale.sites, 5000))]
    sites_df = pd.DataFrame({
        "site_ref": _refs("ST", scale.sites),
        "client_ref": client_refs.to_numpy()[site_client],
        "name": [f"{cities[i % len(cities)]} — {['Head office', 'Warehouse', 'Plant', 'Store', 'School'][i % 5]}"
                 for i in range(scale.sites)],
        "address": [f"{streets[i % len(streets)]}, {cities[(i * 7) % len(cities)]}" for i in range(scale.sites)],
    })
    sites_per_client = np.bincount(site_client, minlength=scale.clients)
    site_weight = weights[site_client] / sites_per_client[site_client]
    site_weight /= site_weight.sum()

    # Assets at sites.
    asset_site = rng.choice(scale.sites, scale.assets, p=site_weight)
    asset_client = site_client[asset_site]
    cat = rng.integers(0, len(CATEGORIES), scale.assets)
    assets_df = pd.DataFrame({
        "asset_ref": _refs("AS", scale.assets),
        "client_ref": client_refs.to_numpy()[asset_client],
        "site_ref": sites_df["site_ref"].to_numpy()[asset_site],
        "name": pd.Series(CATEGORIES[cat]) + " unit " + pd.Series(rng.integers(1, 40, scale.assets)).astype(str),
        "category": CATEGORIES[cat],
        "make": MAKES[rng.integers(0, len(MAKES), scale.assets)],
        "model": pd.Series(rng.integers(100, 999, scale.assets)).astype(str).radd("M-"),
        "serial_number": pd.Series(rng.integers(10**7, 10**8, scale.assets)).astype(str).radd("SN"),
        "installed_on": _iso(_dates(today, -rng.integers(200, 4000, scale.assets))),
    })

    # Jobs at sites, across every status.
    job_site = rng.choice(scale.sites, scale.jobs, p=site_weight)
    job_client = site_client[job_site]
    statuses = np.array(list(STATUS_P))
    job_status = rng.choice(statuses, scale.jobs, p=list(STATUS_P.values()))
    created_days = rng.integers(1, 730, scale.jobs)
    created = np.datetime64(today) - created_days.astype("timedelta64[D]") + \
        rng.integers(7 * 60, 17 * 60, scale.jobs).astype("timedelta64[m]")
    completed = job_status == "completed"
    done_after = np.minimum(rng.integers(0, 30, scale.jobs), created_days - 1).astype("timedelta64[D]")
    completed_at = np.where(completed, created + done_after + np.timedelta64(3, "h"), np.datetime64("NaT"))
    open_ = np.isin(job_status, ["assigned", "in_progress", "pending"])
    scheduled = np.where(
        completed, created + done_after,
        np.where(open_, np.datetime64(today) + rng.integers(-5, 45, scale.jobs).astype("timedelta64[D]")
                 + np.timedelta64(9, "h"), np.datetime64("NaT")))
    job_refs = _refs("JB", scale.jobs)
    jobs_df = pd.DataFrame({
        "job_ref": job_refs,
        "client_ref": client_refs.to_numpy()[job_client],
        "site_ref": sites_df["site_ref"].to_numpy()[job_site],
        "title": JOB_TITLES[rng.integers(0, len(JOB_TITLES), scale.jobs)],
        "description": "Reported by the client; see the work order for details.",
        "status": job_status,
        "technician": np.where(job_status == "unassigned", None,
                               TECHNICIANS[rng.integers(0, len(TECHNICIANS), scale.jobs)]),
        "scheduled_for": _iso(scheduled, "ts"),
        "completed_at": _iso(completed_at, "ts"),
        "created_at": _iso(created, "ts"),
    })
    completed_idx = np.flatnonzero(completed)

    # Asset services: from two years ago to a year ahead; past ones mostly completed.
    svc_asset = rng.integers(0, scale.assets, scale.services)
    svc_client = asset_client[svc_asset]
    due_off = rng.integers(-730, 365, scale.services)
    done = (due_off < 0) & (rng.random(scale.services) < 0.9)
    svc_job = _pick_within_group(rng, svc_client, job_client[completed_idx])
    svc_job_ref = np.where(done & (svc_job >= 0), job_refs.to_numpy()[completed_idx[np.maximum(svc_job, 0)]], None)
    services_df = pd.DataFrame({
        "service_ref": _refs("SV", scale.services),
        "asset_ref": assets_df["asset_ref"].to_numpy()[svc_asset],
        "service_type": SERVICE_TYPES[rng.integers(0, len(SERVICE_TYPES), scale.services)],
        "due_on": _iso(_dates(today, due_off)),
        "completed_on": _iso(np.where(done, _dates(today, due_off + rng.integers(0, 5, scale.services)),
                                      np.datetime64("NaT"))),
        "job_ref": svc_job_ref,
        "result": np.where(done, np.where(rng.random(scale.services) < 0.9, "Passed", "Passed with remarks"), None),
        "notes": np.where(done, "All checks done; next visit as scheduled.", None),
    })

    # Workflow forms on 60 % of completed jobs, five answers each.
    form_jobs = completed_idx[rng.random(len(completed_idx)) < 0.6]
    form_refs = _refs("WF", len(form_jobs))
    forms_df = pd.DataFrame({
        "form_ref": form_refs,
        "job_ref": job_refs.to_numpy()[form_jobs],
        "name": FORM_NAMES[rng.integers(0, len(FORM_NAMES), len(form_jobs))],
        "completed_at": jobs_df["completed_at"].to_numpy()[form_jobs],
    })
    n_answers = len(form_jobs) * len(QUESTIONS)
    answers_df = pd.DataFrame({
        "form_ref": np.repeat(form_refs.to_numpy(), len(QUESTIONS)),
        "position": np.tile(np.arange(1, len(QUESTIONS) + 1), len(form_jobs)).astype(str),
        "question": np.tile(np.array(QUESTIONS), len(form_jobs)),
        "answer": ANSWERS[rng.integers(0, len(ANSWERS), n_answers)],
    })

    # Quotes, some on jobs, in every status.
    q_job = rng.integers(0, scale.jobs, scale.quotes)
    q_status = rng.choice(np.array(list(QUOTE_STATUS_P)), scale.quotes, p=list(QUOTE_STATUS_P.values()))
    q_issued = _dates(today, -rng.integers(0, 400, scale.quotes))
    quote_refs = _refs("QT", scale.quotes)
    quotes_df = pd.DataFrame({
        "quote_ref": quote_refs,
        "client_ref": client_refs.to_numpy()[job_client[q_job]],
        "job_ref": np.where(rng.random(scale.quotes) < 0.7, job_refs.to_numpy()[q_job], None),
        "title": pd.Series(JOB_TITLES[rng.integers(0, len(JOB_TITLES), scale.quotes)]).radd("Quote: "),
        "status": q_status,
        "issued_on": _iso(q_issued),
        "valid_until": _iso(q_issued + np.timedelta64(30, "D")),
    })

    # Invoices: most for completed jobs, issued a few days after completion, due 30 days later.
    n_inv = scale.invoices
    on_job = rng.choice(completed_idx, min(n_inv, len(completed_idx)), replace=False)
    extra = n_inv - len(on_job)
    inv_client = np.concatenate([job_client[on_job], rng.choice(scale.clients, extra, p=weights)])
    base_day = np.concatenate([
        (completed_at[on_job].astype("datetime64[D]") - np.datetime64(today)).astype(int),
        -rng.integers(0, 700, extra)])
    issued_off = np.minimum(base_day + rng.integers(0, 4, n_inv), 0)
    due_off_inv = issued_off + 30
    paid_roll = rng.random(n_inv)
    # Older invoices are mostly paid; recent ones mostly open; a few part-paid.
    fully_paid = np.where(due_off_inv < -10, paid_roll < 0.88, paid_roll < 0.25)
    part_paid = (~fully_paid) & (rng.random(n_inv) < 0.08)
    paid_off = np.minimum(issued_off + rng.integers(3, 45, n_inv), 0)
    invoice_refs = _refs("IN", n_inv)

    # Lines for quotes and invoices; paid amounts follow from invoice totals.
    def lines(parent_refs: pd.Series, prefix_col: str) -> pd.DataFrame:
        n_lines = rng.integers(1, 5, len(parent_refs))
        parent = np.repeat(parent_refs.to_numpy(), n_lines)
        line_no = np.concatenate([np.arange(1, k + 1) for k in n_lines]) if len(n_lines) else np.array([], int)
        qty = rng.integers(1, 9, len(parent))
        price_cents = rng.integers(1500, 45000, len(parent))
        vat = np.where(rng.random(len(parent)) < 0.9, "21", "9")
        return pd.DataFrame({
            prefix_col: parent, "line_no": line_no.astype(str),
            "description": LINE_ITEMS[rng.integers(0, len(LINE_ITEMS), len(parent))],
            "quantity": qty.astype(str), "unit_price": (price_cents / 100).round(2).astype(str),
            "vat_rate": vat,
        })

    quote_lines_df = lines(quote_refs, "quote_ref")
    inv_lines = lines(invoice_refs, "invoice_ref")
    # Per-line rounding as in the loader, in whole cents: VAT rounded half up per line.
    qty = inv_lines["quantity"].astype(int).to_numpy().astype(np.int64)
    unit_cents = np.round(inv_lines["unit_price"].astype(float).to_numpy() * 100).astype(np.int64)
    vat = inv_lines["vat_rate"].astype(int).to_numpy().astype(np.int64)
    net = qty * unit_cents
    tax = (net * vat + 50) // 100
    line_total = pd.Series(net + tax).groupby(inv_lines["invoice_ref"].to_numpy()).sum()
    totals_cents = line_total.reindex(invoice_refs.to_numpy()).to_numpy()
    paid_cents = np.where(fully_paid, totals_cents,
                          np.where(part_paid, (totals_cents * 0.4).astype(np.int64), 0))
    invoices_df = pd.DataFrame({
        "invoice_ref": invoice_refs,
        "client_ref": client_refs.to_numpy()[inv_client],
        "job_ref": np.concatenate([job_refs.to_numpy()[on_job], np.full(extra, None)]),
        "issued_on": _iso(_dates(today, issued_off)),
        "due_on": _iso(_dates(today, due_off_inv)),
        "amount_paid": pd.Series(paid_cents / 100).map(lambda v: f"{v:.2f}"),
        "paid_on": _iso(np.where(fully_paid | part_paid, _dates(today, paid_off), np.datetime64("NaT"))),
    })

    return {
        "clients": clients_df, "sites": sites_df, "assets": assets_df, "jobs": jobs_df,
        "asset_services": services_df, "workflow_forms": forms_df, "workflow_answers": answers_df,
        "quotes": quotes_df, "quote_lines": quote_lines_df, "invoices": invoices_df,
        "invoice_lines": inv_lines,
    }


def _logo_png(text: str, color: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    from core.settings import PROJECT_ROOT

    img = Image.new("RGB", (240, 240), color)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(PROJECT_ROOT / "assets" / "fonts" / "DejaVuSans-Bold.ttf"), 110)
    draw.text((120, 120), text, fill="white", font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _accounts(conn: Connection, scale: Scale, rng: np.random.Generator) -> None:
    client_ids = [r.id for r in conn.execute(sa.select(clients.c.id).order_by(clients.c.ref))]
    now = utcnow()
    password_hash = accounts_core.hash_password(DEMO_PASSWORD)  # one hash serves every demo login
    rows = []
    for email, first, last, title, client_idx, rights, notes in DEMO_LOGINS:
        row = {
            "email": email, "role": "staff" if client_idx is None else "member",
            "client_id": None if client_idx is None else client_ids[client_idx],
            "first_name": first, "last_name": last, "job_title": title, "password_hash": password_hash,
            "active": True, "created_at": now, "invited_at": now, "activated_at": now,
            "receives_work_requests": client_idx is None,
        }
        row.update({RIGHT_COLUMNS[k]: k in rights for k in RIGHT_COLUMNS})
        row.update({NOTIFY_COLUMNS[k]: k in notes for k in NOTIFY_COLUMNS})
        rows.append(row)
    # Further members, invited but not yet activated (no password), with random rights.
    fake = Faker("nl_NL")
    fake.seed_instance(SEED + 1)
    for i in range(scale.extra_members):
        cid = client_ids[int(rng.integers(0, len(client_ids)))]
        bits = rng.random(len(RIGHT_COLUMNS) + len(NOTIFY_COLUMNS)) < 0.5
        first, last = fake.first_name(), fake.last_name()
        row = {
            "email": f"member{i + 1:05d}@client-{cid}.example", "role": "member", "client_id": cid,
            "first_name": first, "last_name": last, "job_title": "Employee", "password_hash": None,
            "active": True, "created_at": now, "invited_at": now, "activated_at": None,
            "receives_work_requests": False,
        }
        row.update({col: bool(b) for col, b in zip(list(RIGHT_COLUMNS.values()) + list(NOTIFY_COLUMNS.values()), bits)})
        rows.append(row)
    conn.execute(accounts.insert(), rows)


# Demo documents: (client index, title, visible, restricted for these demo logins, body lines).
DEMO_DOCUMENTS = (
    (0, "Maintenance contract 2026", True, (), ("Scope: all HVAC, boilers and fire safety installations.",
                                              "Response time: 4 hours for emergencies, next working day otherwise.")),
    (0, "Annual inspection report", True, (),
     ("All installations inspected.", "Two remarks; see page 2 of the report.")),
    (0, "Board meeting minutes - maintenance budget", True, ("documents@client-a.example",),
     ("Budget for next year approved.", "For the facility manager only.")),
    (0, "Draft quotation - solar panels", False, (), ("Draft, not yet shared with the client.",)),
    (1, "Service level agreement", True, (), ("Harbour View Facilities Ltd", "Quarterly maintenance of all lifts.")),
    (1, "Fire safety plan", True, (), ("Evacuation routes and assembly points per site.",)),
)
# Demo work requests: (client index, login, subject, notes, status, decline reason, days ago, days ahead).
DEMO_WORK_REQUESTS = (
    (0, "all.rights@client-a.example", "Boiler makes a banging noise",
     "Since Monday the boiler in the basement bangs when it starts. Access via the back entrance.", "new", None, 1, 3),
    (0, "documents@client-a.example", "Replace broken lighting in hallway",
     "Three fittings on the 2nd floor no longer work.", "accepted", None, 6, 5),
    (0, "all.rights@client-a.example", "Extra filter change",
     "Could the filters be changed before the summer?", "declined",
     "This is included in the quarterly maintenance visit planned for next month.", 12, 10),
    (0, "all.rights@client-a.example", "Lift stops between floors", "Happened twice this week.", "converted",
     None, 20, 1),
    (1, "jobs@client-b.example", "Door access badge reader faulty",
     "The reader at the loading dock rejects every badge.", "new", None, 2, 2),
    (1, "all.rights@client-b.example", "Annual fire alarm test", "Please plan it outside office hours.",
     "accepted", None, 9, 14),
)


def _demo_pdf(title: str, client_name: str, lines: tuple[str, ...]) -> bytes:
    from fpdf import FPDF

    from core.settings import PROJECT_ROOT

    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # same bytes on every load
    pdf.add_font("DejaVu", fname=str(PROJECT_ROOT / "assets" / "fonts" / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", style="B", fname=str(PROJECT_ROOT / "assets" / "fonts" / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=11)
    pdf.multi_cell(0, 7, f"Demo Field Services for {client_name}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for line in lines:
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _documents_and_requests(conn: Connection, documents_dir: Path | None, today: dt.date) -> None:
    """A few documents (PDF files in `documents_dir`) and work requests for demo clients A and B."""
    client_rows = conn.execute(sa.select(clients.c.id, clients.c.name).order_by(clients.c.ref).limit(2)).all()
    login_ids = {r.email: r.id for r in conn.execute(sa.select(accounts.c.id, accounts.c.email))}
    staff_id = login_ids["staff@demo.example"]
    now = dt.datetime.combine(today, dt.time(8, 0))
    if documents_dir is not None:
        documents_dir = Path(documents_dir)
        documents_dir.mkdir(parents=True, exist_ok=True)
        for n, (client_idx, title, visible, restricted_for, lines) in enumerate(DEMO_DOCUMENTS):
            client_id, client_name = client_rows[client_idx]
            data = _demo_pdf(title, client_name, lines)
            key = hashlib.sha256(f"demo-document:{SEED}:{n}".encode()).hexdigest()[:32]
            (documents_dir / key).write_bytes(data)
            doc_id = conn.execute(documents.insert().values(
                client_id=client_id, title=title, filename=title.lower().replace(" - ", "-").replace(" ", "-") + ".pdf",
                storage_key=key, size_bytes=len(data), visible=visible, uploaded_by=staff_id,
                uploaded_at=now - dt.timedelta(days=30 - n),
            ).returning(documents.c.id)).scalar_one()
            for email in restricted_for:
                conn.execute(document_restrictions.insert().values(
                    document_id=doc_id, account_id=login_ids[email], client_id=client_id))
    for client_idx, email, subject, notes, status, reason, days_ago, days_ahead in DEMO_WORK_REQUESTS:
        client_id = client_rows[client_idx].id
        site_id = conn.execute(sa.select(sites.c.id).where(sites.c.client_id == client_id, sites.c.active)
                               .order_by(sites.c.ref)).scalars().first()
        job_ref = None
        if status == "converted":
            job_ref = conn.execute(
                sa.select(jobs.c.ref).where(jobs.c.client_id == client_id, jobs.c.status == "assigned")
                .order_by(jobs.c.ref)).scalars().first()
        created = now - dt.timedelta(days=days_ago)
        conn.execute(work_requests.insert().values(
            client_id=client_id, site_id=site_id, account_id=login_ids[email], submitted_by=email, subject=subject,
            notes=notes, requested_for=dt.datetime.combine(today + dt.timedelta(days=days_ahead), dt.time(9, 0)),
            status=status, decline_reason=reason, job_ref=job_ref, created_at=created,
            handled_by=None if status == "new" else staff_id,
            handled_at=None if status == "new" else created + dt.timedelta(hours=5),
        ))


def load(engine: Engine, scale_name: str = "small", today: dt.date | None = None, progress=None,
         documents_dir: Path | None = None) -> dict[str, int]:
    """Write the demo data set (portal settings, business data, demo logins) in one transaction.

    With `documents_dir`, demo PDF documents are written there too (without it, none are made).
    """
    scale = SCALES[scale_name]
    data = frames(scale_name, today=today)
    with engine.begin() as conn:
        conn.execute(
            portal_settings.update().where(portal_settings.c.id == 1).values(
                portal_name="Demo Field Services", primary_color="#0b6e4f",
                logo=_logo_png("DF", "#0b6e4f"), logo_mime="image/png",
                login_intro="Welcome to the client portal of Demo Field Services. Log in with the e-mail "
                            "address we registered for you.",
                support_contact="support@demo.example · +31 20 123 4567", currency="EUR",
                setup_completed=True, updated_at=utcnow(),
            )
        )
        counts = loader.load(conn, data, progress=progress)
        _accounts(conn, scale, np.random.default_rng(SEED + 2))
        _documents_and_requests(conn, documents_dir, today or dt.date.today())
    return counts


def is_empty(engine: Engine) -> bool:
    """True when the database holds no clients and no accounts yet."""
    with engine.connect() as conn:
        return (conn.execute(sa.select(sa.func.count()).select_from(clients)).scalar() == 0
                and conn.execute(sa.select(sa.func.count()).select_from(accounts)).scalar() == 0)
