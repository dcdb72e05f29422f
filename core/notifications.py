"""E-mail notifications that an import starts (SPEC §3 item 4, §8): quotes, invoices, jobs.

An import notices three transitions by comparing its staged rows with the database before it
writes: a quote that becomes `awaiting_approval`, an invoice that appears, a job that becomes
`completed`. Each (member, kind, record, transition) is recorded once in `notification_events`;
the import e-mails only the events it actually inserted there, one digest per member, queued in
the import's own transaction. A re-import therefore finds nothing new and queues nothing.
"""
from __future__ import annotations

import hashlib
import html
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core import outbox, portal
from core.db import utcnow

OUTBOX_KIND = "notification"
MAX_LISTED = 50  # records listed per kind in one e-mail; the rest are counted

# kind -> (transition, account column of the member's choice)
TRANSITIONS = {
    "quotes": ("awaiting_approval", "notify_quotes"),
    "invoices": ("issued", "notify_invoices"),
    "jobs": ("completed", "notify_jobs"),
}

_STAGED_EVENTS = "stage_import_events"


def stage_events(conn: Connection) -> None:
    """Before an import writes: note the staged records whose transition this import causes."""
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{_STAGED_EVENTS}"'))
    conn.execute(sa.text(f"""
        CREATE TEMP TABLE {_STAGED_EVENTS} AS
        SELECT CAST('quotes' AS VARCHAR(10)) AS kind, s.quote_ref AS record_ref, s.client_ref AS client_ref
        FROM stage_quotes s LEFT JOIN quotes q ON q.ref = s.quote_ref
        WHERE s.status = 'awaiting_approval' AND (q.id IS NULL OR q.status <> 'awaiting_approval')
        UNION ALL
        SELECT CAST('invoices' AS VARCHAR(10)), s.invoice_ref, s.client_ref
        FROM stage_invoices s
        WHERE NOT EXISTS (SELECT 1 FROM invoices i WHERE i.ref = s.invoice_ref)
        UNION ALL
        SELECT CAST('jobs' AS VARCHAR(10)), s.job_ref, s.client_ref
        FROM stage_jobs s LEFT JOIN jobs j ON j.ref = s.job_ref
        WHERE s.status = 'completed' AND (j.id IS NULL OR j.status <> 'completed')"""))


def drop_staged_events(conn: Connection) -> None:
    """Remove the import's temporary event table."""
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{_STAGED_EVENTS}"'))


def _record_events(conn: Connection, import_id: str) -> None:
    choices = " OR ".join(f"(e.kind = '{kind}' AND a.{column})" for kind, (_, column) in TRANSITIONS.items())
    transition = "CASE e.kind " + " ".join(f"WHEN '{k}' THEN '{t}'" for k, (t, _) in TRANSITIONS.items()) + " END"
    conn.execute(sa.text(f"""
        INSERT INTO notification_events (id, account_id, kind, record_ref, transition, import_id, created_at)
        SELECT nextval('notification_events_id_seq'), a.id, e.kind, e.record_ref, {transition}, :import_id, :now
        FROM {_STAGED_EVENTS} e
        JOIN clients c ON c.ref = e.client_ref
        JOIN accounts a ON a.client_id = c.id
        WHERE a.role = 'member' AND a.active AND c.active AND ({choices})
        ON CONFLICT (account_id, kind, record_ref, transition) DO NOTHING"""),
        {"import_id": import_id, "now": utcnow()})


_DETAILS = {
    "jobs": """SELECT e.account_id, e.record_ref, j.title, st.name AS site, j.completed_at
               FROM notification_events e JOIN jobs j ON j.ref = e.record_ref
               LEFT JOIN sites st ON st.id = j.site_id AND st.client_id = j.client_id""",
    "quotes": """SELECT e.account_id, e.record_ref, q.title, q.total, q.valid_until
                 FROM notification_events e JOIN quotes q ON q.ref = e.record_ref""",
    "invoices": """SELECT e.account_id, e.record_ref, i.issued_on, i.due_on, i.total
                   FROM notification_events e JOIN invoices i ON i.ref = e.record_ref""",
}


def _details(conn: Connection, kind: str, import_id: str) -> dict[int, tuple[int, list[dict]]]:
    """account id -> (events of this kind in this import, the first MAX_LISTED with details)."""
    rows = conn.execute(sa.text(f"""
        SELECT * FROM (
            SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.account_id ORDER BY d.record_ref) AS n,
                   COUNT(*) OVER (PARTITION BY d.account_id) AS total_events
            FROM ({_DETAILS[kind]} WHERE e.import_id = :import_id AND e.kind = :kind) d) ranked
        WHERE n <= {MAX_LISTED} ORDER BY account_id, n"""), {"import_id": import_id, "kind": kind}).mappings()
    out: dict[int, tuple[int, list[dict]]] = {}
    for row in rows:
        count, items = out.setdefault(row["account_id"], (row["total_events"], []))
        items.append(dict(row))
    return out


@dataclass(frozen=True)
class Section:
    """One kind's part of a digest: heading, lines, link."""

    heading: str
    lines: list[str]
    more: int
    link: str


def _money(currency: str, amount) -> str:
    return f"{currency} {amount:,.2f}"


def _sections(member, details: dict[str, tuple[int, list[dict]]], base_url: str, currency: str) -> list[Section]:
    # What a line shows follows the member's rights: no job details without a jobs page, no
    # amounts without the page that shows them.
    sees_jobs = member["right_completed_jobs"] or member["right_job_status"]
    sections = []
    if "quotes" in details:
        count, items = details["quotes"]
        lines = []
        for q in items:
            line = f"{q['record_ref']}: {q['title']}"
            if q["valid_until"] is not None:
                line += f", valid until {q['valid_until']:%Y-%m-%d}"
            if sees_jobs:
                line += f", total {_money(currency, q['total'])}"
            lines.append(line)
        sections.append(Section(f"Quotes awaiting your approval ({count})", lines, count - len(items),
                                f"{base_url}/"))
    if "invoices" in details:
        count, items = details["invoices"]
        lines = []
        for i in items:
            line = f"{i['record_ref']}: due {i['due_on']:%Y-%m-%d}"
            if member["right_invoices"]:
                line = f"{i['record_ref']}: issued {i['issued_on']:%Y-%m-%d}, due {i['due_on']:%Y-%m-%d}, " \
                       f"total {_money(currency, i['total'])}"
            lines.append(line)
        link = f"{base_url}/invoices" if member["right_invoices"] else f"{base_url}/"
        sections.append(Section(f"New invoices ({count})", lines, count - len(items), link))
    if "jobs" in details:
        count, items = details["jobs"]
        lines = []
        for j in items:
            line = j["record_ref"]
            if sees_jobs:
                line += f": {j['title']}"
                if j["site"]:
                    line += f" at {j['site']}"
                if j["completed_at"] is not None:
                    line += f", completed {j['completed_at']:%Y-%m-%d %H:%M}"
            lines.append(line)
        link = (f"{base_url}/completed-jobs" if member["right_completed_jobs"]
                else f"{base_url}/job-status" if member["right_job_status"] else f"{base_url}/")
        sections.append(Section(f"Jobs completed ({count})", lines, count - len(items), link))
    return sections


def _subject(portal_name: str, details: dict[str, tuple[int, list[dict]]]) -> str:
    total = sum(count for count, _ in details.values())
    if total == 1:
        kind, (_, items) = next(iter(details.items()))
        ref = items[0]["record_ref"]
        return {"quotes": f"Quote {ref} awaits your approval", "invoices": f"New invoice {ref}",
                "jobs": f"Job {ref} was completed"}[kind]
    labels = {"quotes": ("quote to approve", "quotes to approve"), "invoices": ("new invoice", "new invoices"),
              "jobs": ("job completed", "jobs completed")}
    parts = []
    for kind, (one, many) in labels.items():
        if kind in details:
            count = details[kind][0]
            parts.append(f"{count} {one if count == 1 else many}")
    return f"{portal_name}: " + ", ".join(parts)


def _bodies(member, sections: list[Section], portal_name: str) -> tuple[str, str]:
    name = member["first_name"]
    text = [f"Hello {name},", "", f"News from {portal_name}:", ""]
    parts = [f"<p>Hello {html.escape(name)},</p><p>News from {html.escape(portal_name)}:</p>"]
    for s in sections:
        text.append(f"{s.heading}:")
        text += [f"  - {line}" for line in s.lines]
        if s.more:
            text.append(f"  … and {s.more} more")
        text += [f"  See the portal: {s.link}", ""]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in s.lines)
        if s.more:
            items += f"<li>… and {s.more} more</li>"
        parts.append(f"<h3>{html.escape(s.heading)}</h3><ul>{items}</ul>"
                     f'<p><a href="{html.escape(s.link, quote=True)}">Open the portal</a></p>')
    footer = ("You receive this e-mail because these notifications are switched on for your portal account. "
              "Ask us to change them if you no longer want them.")
    text.append(footer)
    parts.append(f"<p style=\"color:#666;font-size:small\">{html.escape(footer)}</p>")
    return "\n".join(text), "<html><body>" + "".join(parts) + "</body></html>"


def queue_for_import(conn: Connection, import_id: str, *, base_url: str) -> int:
    """After an import wrote its rows: record its events and queue one digest per member.

    Returns the number of e-mails queued.
    """
    _record_events(conn, import_id)
    per_member: dict[int, dict[str, tuple[int, list[dict]]]] = defaultdict(dict)
    for kind in TRANSITIONS:
        for account_id, entry in _details(conn, kind, import_id).items():
            per_member[account_id][kind] = entry
    if not per_member:
        return 0
    brand = portal.branding(conn)
    members = {row["id"]: row for row in conn.execute(sa.text(
        "SELECT * FROM accounts WHERE id IN (SELECT account_id FROM notification_events WHERE import_id = :i)"),
        {"i": import_id}).mappings()}
    queued = 0
    for account_id in sorted(per_member):
        details = per_member[account_id]
        member = members[account_id]
        sections = _sections(member, details, base_url.rstrip("/"), brand.currency)
        text, body_html = _bodies(member, sections, brand.portal_name)
        events = sorted(f"{kind}:{item['record_ref']}" for kind, (_, items) in details.items() for item in items)
        digest = hashlib.sha256("\n".join(events).encode()).hexdigest()[:32]
        queued += outbox.enqueue(
            conn, key=f"{OUTBOX_KIND}:{account_id}:{import_id}:{digest}", kind=OUTBOX_KIND,
            to_addr=member["email"], to_name=f"{member['first_name']} {member['last_name']}".strip(),
            subject=_subject(brand.portal_name, details), text=text, html=body_html,
        )
    return queued
