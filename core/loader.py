"""Set-based upsert of the business data (SPEC §8 files) by the business's own refs.

Frames carry the columns of SPEC §8 as text. Each kind is staged in a temporary table and written
with one portable `INSERT … SELECT … ON CONFLICT (ref) DO UPDATE` that resolves refs to ids by
joining the tables already written, so a million rows never become a million Python objects.
Validation (unknown refs, bad values) is the importer's job: this module assumes clean frames and
leaves rows whose refs do not resolve out of the join. Demo data and the importer both use it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.db import stage_frame, utcnow


def _t(col: str) -> str:
    return f"NULLIF(TRIM(s.{col}), '')"


def _date(col: str) -> str:
    return f"CAST({_t(col)} AS DATE)"


def _ts(col: str) -> str:
    return f"CAST({_t(col)} AS TIMESTAMP)"


def _num(col: str, scale: str = "14, 2") -> str:
    return f"CAST({_t(col)} AS NUMERIC({scale}))"


@dataclass(frozen=True)
class Kind:
    name: str  # file name without extension, e.g. "clients"
    columns: tuple[str, ...]  # SPEC §8 columns, first is the ref (or the parent ref for lines)
    sql: str  # upsert from the staging table "stage_<name>" aliased s


KINDS: tuple[Kind, ...] = (
    Kind("clients", ("client_ref", "name", "email", "phone", "address"), f"""
        INSERT INTO clients (id, ref, name, email, phone, address, active, created_at)
        SELECT nextval('clients_id_seq'), TRIM(s.client_ref), TRIM(s.name), {_t('email')}, {_t('phone')},
               {_t('address')}, TRUE, :now
        FROM stage_clients s
        ON CONFLICT (ref) DO UPDATE SET name = excluded.name, email = excluded.email,
            phone = excluded.phone, address = excluded.address"""),
    Kind("sites", ("site_ref", "client_ref", "name", "address"), f"""
        INSERT INTO sites (id, client_id, ref, name, address, active)
        SELECT nextval('sites_id_seq'), c.id, TRIM(s.site_ref), TRIM(s.name), {_t('address')}, TRUE
        FROM stage_sites s JOIN clients c ON c.ref = TRIM(s.client_ref)
        ON CONFLICT (ref) DO UPDATE SET name = excluded.name, address = excluded.address"""),
    Kind("assets", ("asset_ref", "client_ref", "site_ref", "name", "category", "make", "model",
                    "serial_number", "installed_on"), f"""
        INSERT INTO assets (id, client_id, site_id, ref, name, category, make, model, serial_number, installed_on)
        SELECT nextval('assets_id_seq'), c.id, st.id, TRIM(s.asset_ref), TRIM(s.name), {_t('category')},
               {_t('make')}, {_t('model')}, {_t('serial_number')}, {_date('installed_on')}
        FROM stage_assets s JOIN clients c ON c.ref = TRIM(s.client_ref)
             JOIN sites st ON st.ref = TRIM(s.site_ref) AND st.client_id = c.id
        ON CONFLICT (ref) DO UPDATE SET site_id = excluded.site_id, name = excluded.name,
            category = excluded.category, make = excluded.make, model = excluded.model,
            serial_number = excluded.serial_number, installed_on = excluded.installed_on"""),
    Kind("jobs", ("job_ref", "client_ref", "site_ref", "title", "description", "status", "technician",
                  "scheduled_for", "completed_at", "created_at"), f"""
        INSERT INTO jobs (id, client_id, site_id, ref, title, description, status, technician,
                          scheduled_for, completed_at, created_at)
        SELECT nextval('jobs_id_seq'), c.id, st.id, TRIM(s.job_ref), TRIM(s.title), {_t('description')},
               LOWER(TRIM(s.status)), {_t('technician')}, {_ts('scheduled_for')}, {_ts('completed_at')},
               COALESCE({_ts('created_at')}, :now)
        FROM stage_jobs s JOIN clients c ON c.ref = TRIM(s.client_ref)
             JOIN sites st ON st.ref = TRIM(s.site_ref) AND st.client_id = c.id
        ON CONFLICT (ref) DO UPDATE SET site_id = excluded.site_id, title = excluded.title,
            description = excluded.description, status = excluded.status, technician = excluded.technician,
            scheduled_for = excluded.scheduled_for, completed_at = excluded.completed_at"""),
    Kind("asset_services", ("service_ref", "asset_ref", "service_type", "due_on", "completed_on", "job_ref",
                            "result", "notes"), f"""
        INSERT INTO asset_services (id, client_id, asset_id, job_id, ref, service_type, due_on, completed_on,
                                    result, notes)
        SELECT nextval('asset_services_id_seq'), a.client_id, a.id, j.id, TRIM(s.service_ref),
               TRIM(s.service_type), {_date('due_on')}, {_date('completed_on')}, {_t('result')}, {_t('notes')}
        FROM stage_asset_services s JOIN assets a ON a.ref = TRIM(s.asset_ref)
             LEFT JOIN jobs j ON j.ref = {_t('job_ref')} AND j.client_id = a.client_id
        ON CONFLICT (ref) DO UPDATE SET asset_id = excluded.asset_id, job_id = excluded.job_id,
            service_type = excluded.service_type, due_on = excluded.due_on,
            completed_on = excluded.completed_on, result = excluded.result, notes = excluded.notes"""),
    Kind("workflow_forms", ("form_ref", "job_ref", "name", "completed_at"), f"""
        INSERT INTO workflow_forms (id, client_id, job_id, ref, name, completed_at)
        SELECT nextval('workflow_forms_id_seq'), j.client_id, j.id, TRIM(s.form_ref), TRIM(s.name),
               {_ts('completed_at')}
        FROM stage_workflow_forms s JOIN jobs j ON j.ref = TRIM(s.job_ref)
        ON CONFLICT (ref) DO UPDATE SET name = excluded.name, completed_at = excluded.completed_at"""),
    Kind("workflow_answers", ("form_ref", "position", "question", "answer"), f"""
        INSERT INTO workflow_answers (id, client_id, form_id, position, question, answer)
        SELECT nextval('workflow_answers_id_seq'), f.client_id, f.id, CAST(TRIM(s.position) AS INTEGER),
               TRIM(s.question), {_t('answer')}
        FROM stage_workflow_answers s JOIN workflow_forms f ON f.ref = TRIM(s.form_ref)
        ON CONFLICT (form_id, position) DO UPDATE SET question = excluded.question, answer = excluded.answer"""),
    Kind("quotes", ("quote_ref", "client_ref", "job_ref", "title", "status", "issued_on", "valid_until"), f"""
        INSERT INTO quotes (id, client_id, job_id, ref, title, status, issued_on, valid_until,
                            subtotal, vat_amount, total)
        SELECT nextval('quotes_id_seq'), c.id, j.id, TRIM(s.quote_ref), TRIM(s.title), LOWER(TRIM(s.status)),
               {_date('issued_on')}, {_date('valid_until')}, 0, 0, 0
        FROM stage_quotes s JOIN clients c ON c.ref = TRIM(s.client_ref)
             LEFT JOIN jobs j ON j.ref = {_t('job_ref')} AND j.client_id = c.id
        ON CONFLICT (ref) DO UPDATE SET job_id = excluded.job_id, title = excluded.title,
            status = excluded.status, issued_on = excluded.issued_on, valid_until = excluded.valid_until"""),
    Kind("quote_lines", ("quote_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"), f"""
        INSERT INTO quote_lines (id, client_id, quote_id, line_no, description, quantity, unit_price, vat_rate)
        SELECT nextval('quote_lines_id_seq'), q.client_id, q.id, CAST(TRIM(s.line_no) AS INTEGER),
               TRIM(s.description), {_num('quantity', '12, 3')}, {_num('unit_price')}, {_num('vat_rate', '5, 2')}
        FROM stage_quote_lines s JOIN quotes q ON q.ref = TRIM(s.quote_ref)
        ON CONFLICT (quote_id, line_no) DO UPDATE SET description = excluded.description,
            quantity = excluded.quantity, unit_price = excluded.unit_price, vat_rate = excluded.vat_rate"""),
    Kind("invoices", ("invoice_ref", "client_ref", "job_ref", "issued_on", "due_on", "amount_paid", "paid_on"), f"""
        INSERT INTO invoices (id, client_id, job_id, ref, issued_on, due_on, amount_paid, paid_on,
                              subtotal, vat_amount, total)
        SELECT nextval('invoices_id_seq'), c.id, j.id, TRIM(s.invoice_ref), {_date('issued_on')},
               {_date('due_on')}, COALESCE({_num('amount_paid')}, 0), {_date('paid_on')}, 0, 0, 0
        FROM stage_invoices s JOIN clients c ON c.ref = TRIM(s.client_ref)
             LEFT JOIN jobs j ON j.ref = {_t('job_ref')} AND j.client_id = c.id
        ON CONFLICT (ref) DO UPDATE SET job_id = excluded.job_id, issued_on = excluded.issued_on,
            due_on = excluded.due_on, amount_paid = excluded.amount_paid, paid_on = excluded.paid_on"""),
    Kind("invoice_lines", ("invoice_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"), f"""
        INSERT INTO invoice_lines (id, client_id, invoice_id, line_no, description, quantity, unit_price, vat_rate)
        SELECT nextval('invoice_lines_id_seq'), i.client_id, i.id, CAST(TRIM(s.line_no) AS INTEGER),
               TRIM(s.description), {_num('quantity', '12, 3')}, {_num('unit_price')}, {_num('vat_rate', '5, 2')}
        FROM stage_invoice_lines s JOIN invoices i ON i.ref = TRIM(s.invoice_ref)
        ON CONFLICT (invoice_id, line_no) DO UPDATE SET description = excluded.description,
            quantity = excluded.quantity, unit_price = excluded.unit_price, vat_rate = excluded.vat_rate"""),
)

KINDS_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}

# Lines present for a document in the file replace its earlier lines: drop line numbers the
# file no longer has, then recompute the document's totals from its lines.
_PRUNE_AND_TOTAL = {
    "quote_lines": ("quotes", "quote_id", "quote_ref"),
    "invoice_lines": ("invoices", "invoice_id", "invoice_ref"),
}


def _prune_and_total(conn: Connection, lines_kind: str) -> None:
    parent, fk, ref_col = _PRUNE_AND_TOTAL[lines_kind]
    stage = f"stage_{lines_kind}"
    conn.execute(sa.text(f"""
        DELETE FROM {lines_kind} WHERE {fk} IN (
            SELECT p.id FROM {parent} p JOIN {stage} s ON p.ref = TRIM(s.{ref_col}))
          AND NOT EXISTS (
            SELECT 1 FROM {stage} s JOIN {parent} p ON p.ref = TRIM(s.{ref_col})
            WHERE p.id = {lines_kind}.{fk} AND CAST(TRIM(s.line_no) AS INTEGER) = {lines_kind}.line_no)"""))
    recompute_totals(conn, parent, f"SELECT p.id FROM {parent} p JOIN {stage} s ON p.ref = TRIM(s.{ref_col})")


def recompute_totals(conn: Connection, parent: str, ids_sql: str) -> None:
    """Set subtotal, VAT and total of quotes/invoices (ids from `ids_sql`) from their lines."""
    lines = "quote_lines" if parent == "quotes" else "invoice_lines"
    fk = "quote_id" if parent == "quotes" else "invoice_id"
    conn.execute(sa.text(f"""
        UPDATE {parent} SET
          subtotal = COALESCE((SELECT SUM(ROUND(l.quantity * l.unit_price, 2)) FROM {lines} l
                               WHERE l.{fk} = {parent}.id), 0),
          vat_amount = COALESCE((SELECT SUM(ROUND(l.quantity * l.unit_price * l.vat_rate / 100, 2))
                                 FROM {lines} l WHERE l.{fk} = {parent}.id), 0)
        WHERE id IN ({ids_sql})"""))
    conn.execute(sa.text(f"UPDATE {parent} SET total = subtotal + vat_amount WHERE id IN ({ids_sql})"))


def load(
    conn: Connection,
    frames: Mapping[str, pd.DataFrame],
    *,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Upsert the given kinds (in dependency order) inside the caller's transaction.

    Frames must have the kind's columns, all as text (None/'' for empty). Returns rows staged per kind.
    """
    counts: dict[str, int] = {}
    todo = [k for k in KINDS if k.name in frames]
    for n, kind in enumerate(todo, start=1):
        frame = frames[kind.name]
        missing = [c for c in kind.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{kind.name}: missing columns {missing}")
        stage_frame(conn, f"stage_{kind.name}", frame[list(kind.columns)].astype("string"))
        conn.execute(sa.text(kind.sql), {"now": utcnow()})
        if kind.name in _PRUNE_AND_TOTAL:
            _prune_and_total(conn, kind.name)
        counts[kind.name] = len(frame)
        if progress:
            progress(kind.name, n, len(todo))
    return counts
