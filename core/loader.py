"""Set-based upsert of the business data (SPEC §8 files) by the business's own refs.

Frames carry the columns of SPEC §8 as text. Each kind is staged in a temporary table
`stage_<kind>` and written with two portable statements: an `UPDATE … FROM` of the existing rows
whose values differ, then an `INSERT … SELECT … WHERE NOT EXISTS` of the new ones. Refs resolve to
ids by joining the tables already written, so a million rows never become a million Python
objects, and the two row counts say what an import inserted and updated.

Validation (unknown refs, bad values) is the importer's job: this module assumes clean frames and
leaves rows whose refs do not resolve out of the join. Demo data and the importer both use it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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


def _int(col: str) -> str:
    return f"CAST(TRIM(s.{col}) AS INTEGER)"


@dataclass(frozen=True)
class Kind:
    """One SPEC §8 file kind and how its staged rows map onto its table."""

    name: str  # file name without extension, e.g. "clients"; also the table name
    columns: tuple[str, ...]  # SPEC §8 columns, first is the ref (or the parent ref for lines)
    source: str  # FROM clause over the staging table "stage_<name>" aliased s
    key: dict[str, str]  # table column -> expression identifying the row
    values: dict[str, str]  # table column -> expression, written on insert and on update
    insert_only: dict[str, str] = field(default_factory=dict)  # set only when the row is new

    def _selected(self) -> str:
        cols = {**self.key, **self.values, **self.insert_only}
        return ", ".join(f"{expr} AS {col}" for col, expr in cols.items())

    def _match(self, table: str) -> str:
        return " AND ".join(f"{table}.{col} = x.{col}" for col in self.key)

    def update_sql(self) -> str:
        """Rewrite the existing rows whose values differ from the staged ones."""
        sets = ", ".join(f"{col} = x.{col}" for col in self.values)
        differs = " OR ".join(f"{self.name}.{col} IS DISTINCT FROM x.{col}" for col in self.values)
        return (f"UPDATE {self.name} SET {sets} FROM (SELECT {self._selected()} FROM {self.source}) x "
                f"WHERE {self._match(self.name)} AND ({differs})")

    def insert_sql(self) -> str:
        """Insert the staged rows whose key is not in the table yet."""
        cols = ["id", *self.key, *self.values, *self.insert_only]
        picked = ", ".join(f"x.{c}" for c in cols[1:])
        return (f"INSERT INTO {self.name} ({', '.join(cols)}) "
                f"SELECT nextval('{self.name}_id_seq'), {picked} "
                f"FROM (SELECT {self._selected()} FROM {self.source}) x "
                f"WHERE NOT EXISTS (SELECT 1 FROM {self.name} t WHERE {self._match('t')})")


KINDS: tuple[Kind, ...] = (
    Kind("clients", ("client_ref", "name", "email", "phone", "address"),
         source="stage_clients s",
         key={"ref": "TRIM(s.client_ref)"},
         values={"name": "TRIM(s.name)", "email": _t("email"), "phone": _t("phone"), "address": _t("address")},
         insert_only={"active": "TRUE", "created_at": ":now"}),
    Kind("sites", ("site_ref", "client_ref", "name", "address"),
         source="stage_sites s JOIN clients c ON c.ref = TRIM(s.client_ref)",
         key={"ref": "TRIM(s.site_ref)"},
         values={"name": "TRIM(s.name)", "address": _t("address")},
         insert_only={"client_id": "c.id", "active": "TRUE"}),
    Kind("assets", ("asset_ref", "client_ref", "site_ref", "name", "category", "make", "model",
                    "serial_number", "installed_on"),
         source="""stage_assets s JOIN clients c ON c.ref = TRIM(s.client_ref)
                   JOIN sites st ON st.ref = TRIM(s.site_ref) AND st.client_id = c.id""",
         key={"ref": "TRIM(s.asset_ref)"},
         values={"site_id": "st.id", "name": "TRIM(s.name)", "category": _t("category"), "make": _t("make"),
                 "model": _t("model"), "serial_number": _t("serial_number"), "installed_on": _date("installed_on")},
         insert_only={"client_id": "c.id"}),
    Kind("jobs", ("job_ref", "client_ref", "site_ref", "title", "description", "status", "technician",
                  "scheduled_for", "completed_at", "created_at"),
         source="""stage_jobs s JOIN clients c ON c.ref = TRIM(s.client_ref)
                   JOIN sites st ON st.ref = TRIM(s.site_ref) AND st.client_id = c.id""",
         key={"ref": "TRIM(s.job_ref)"},
         values={"site_id": "st.id", "title": "TRIM(s.title)", "description": _t("description"),
                 "status": "LOWER(TRIM(s.status))", "technician": _t("technician"),
                 "scheduled_for": _ts("scheduled_for"), "completed_at": _ts("completed_at")},
         insert_only={"client_id": "c.id", "created_at": f"COALESCE({_ts('created_at')}, :now)"}),
    Kind("asset_services", ("service_ref", "asset_ref", "service_type", "due_on", "completed_on", "job_ref",
                            "result", "notes"),
         source="""stage_asset_services s JOIN assets a ON a.ref = TRIM(s.asset_ref)
                   LEFT JOIN jobs j ON j.ref = NULLIF(TRIM(s.job_ref), '') AND j.client_id = a.client_id""",
         key={"ref": "TRIM(s.service_ref)"},
         values={"asset_id": "a.id", "job_id": "j.id", "service_type": "TRIM(s.service_type)",
                 "due_on": _date("due_on"), "completed_on": _date("completed_on"), "result": _t("result"),
                 "notes": _t("notes")},
         insert_only={"client_id": "a.client_id"}),
    Kind("workflow_forms", ("form_ref", "job_ref", "name", "completed_at"),
         source="stage_workflow_forms s JOIN jobs j ON j.ref = TRIM(s.job_ref)",
         key={"ref": "TRIM(s.form_ref)"},
         values={"name": "TRIM(s.name)", "completed_at": _ts("completed_at")},
         insert_only={"client_id": "j.client_id", "job_id": "j.id"}),
    Kind("workflow_answers", ("form_ref", "position", "question", "answer"),
         source="stage_workflow_answers s JOIN workflow_forms f ON f.ref = TRIM(s.form_ref)",
         key={"form_id": "f.id", "position": _int("position")},
         values={"question": "TRIM(s.question)", "answer": _t("answer")},
         insert_only={"client_id": "f.client_id"}),
    Kind("quotes", ("quote_ref", "client_ref", "job_ref", "title", "status", "issued_on", "valid_until"),
         source="""stage_quotes s JOIN clients c ON c.ref = TRIM(s.client_ref)
                   LEFT JOIN jobs j ON j.ref = NULLIF(TRIM(s.job_ref), '') AND j.client_id = c.id""",
         key={"ref": "TRIM(s.quote_ref)"},
         values={"job_id": "j.id", "title": "TRIM(s.title)", "status": "LOWER(TRIM(s.status))",
                 "issued_on": _date("issued_on"), "valid_until": _date("valid_until")},
         insert_only={"client_id": "c.id", "subtotal": "0", "vat_amount": "0", "total": "0"}),
    Kind("quote_lines", ("quote_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"),
         source="stage_quote_lines s JOIN quotes q ON q.ref = TRIM(s.quote_ref)",
         key={"quote_id": "q.id", "line_no": _int("line_no")},
         values={"description": "TRIM(s.description)", "quantity": _num("quantity", "12, 3"),
                 "unit_price": _num("unit_price"), "vat_rate": _num("vat_rate", "5, 2")},
         insert_only={"client_id": "q.client_id"}),
    Kind("invoices", ("invoice_ref", "client_ref", "job_ref", "issued_on", "due_on", "amount_paid", "paid_on"),
         source="""stage_invoices s JOIN clients c ON c.ref = TRIM(s.client_ref)
                   LEFT JOIN jobs j ON j.ref = NULLIF(TRIM(s.job_ref), '') AND j.client_id = c.id""",
         key={"ref": "TRIM(s.invoice_ref)"},
         values={"job_id": "j.id", "issued_on": _date("issued_on"), "due_on": _date("due_on"),
                 "amount_paid": f"COALESCE({_num('amount_paid')}, 0)", "paid_on": _date("paid_on")},
         insert_only={"client_id": "c.id", "subtotal": "0", "vat_amount": "0", "total": "0"}),
    Kind("invoice_lines", ("invoice_ref", "line_no", "description", "quantity", "unit_price", "vat_rate"),
         source="stage_invoice_lines s JOIN invoices i ON i.ref = TRIM(s.invoice_ref)",
         key={"invoice_id": "i.id", "line_no": _int("line_no")},
         values={"description": "TRIM(s.description)", "quantity": _num("quantity", "12, 3"),
                 "unit_price": _num("unit_price"), "vat_rate": _num("vat_rate", "5, 2")},
         insert_only={"client_id": "i.client_id"}),
)

KINDS_BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}

# Lines present for a document in the file replace its earlier lines: drop line numbers the
# file no longer has, then recompute the document's totals from its lines.
_PRUNE_AND_TOTAL = {
    "quote_lines": ("quotes", "quote_id", "quote_ref"),
    "invoice_lines": ("invoices", "invoice_id", "invoice_ref"),
}


@dataclass(frozen=True)
class Written:
    """What writing one staged kind did to its table."""

    staged: int
    inserted: int
    updated: int
    removed: int = 0  # lines no longer in the file

    @property
    def unchanged(self) -> int:
        return self.staged - self.inserted - self.updated


def _prune_and_total(conn: Connection, lines_kind: str) -> int:
    parent, fk, ref_col = _PRUNE_AND_TOTAL[lines_kind]
    stage = f"stage_{lines_kind}"
    removed = conn.execute(sa.text(f"""
        DELETE FROM {lines_kind} WHERE {fk} IN (
            SELECT p.id FROM {parent} p JOIN {stage} s ON p.ref = TRIM(s.{ref_col}))
          AND NOT EXISTS (
            SELECT 1 FROM {stage} s JOIN {parent} p ON p.ref = TRIM(s.{ref_col})
            WHERE p.id = {lines_kind}.{fk} AND CAST(TRIM(s.line_no) AS INTEGER) = {lines_kind}.line_no)""")).rowcount
    recompute_totals(conn, parent, f"SELECT p.id FROM {parent} p JOIN {stage} s ON p.ref = TRIM(s.{ref_col})")
    return max(removed, 0)


def recompute_totals(conn: Connection, parent: str, ids_sql: str) -> None:
    """Set subtotal, VAT and total of quotes/invoices (ids from `ids_sql`) from their lines."""
    lines = "quote_lines" if parent == "quotes" else "invoice_lines"
    fk = "quote_id" if parent == "quotes" else "invoice_id"
    conn.execute(sa.text(f"""
        UPDATE {parent} SET
          subtotal = COALESCE((SELECT SUM(ROUND(l.quantity * l.unit_price, 2)) FROM {lines} l
                               WHERE l.{fk} = {parent}.id), 0),
          vat_amount = COALESCE((SELECT SUM(ROUND(l.quantity * l.unit_price * l.vat_rate * 0.01, 2))
                                 FROM {lines} l WHERE l.{fk} = {parent}.id), 0)
        WHERE id IN ({ids_sql})"""))
    conn.execute(sa.text(f"UPDATE {parent} SET total = subtotal + vat_amount WHERE id IN ({ids_sql})"))


def write_staged(conn: Connection, kind: Kind, staged: int) -> Written:
    """Write the rows already in `stage_<kind>` (inside the caller's transaction)."""
    now = {"now": utcnow()}
    updated = conn.execute(sa.text(kind.update_sql()), now).rowcount
    inserted = conn.execute(sa.text(kind.insert_sql()), now).rowcount
    removed = _prune_and_total(conn, kind.name) if kind.name in _PRUNE_AND_TOTAL else 0
    return Written(staged=staged, inserted=max(inserted, 0), updated=max(updated, 0), removed=removed)


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
        write_staged(conn, kind, len(frame))
        counts[kind.name] = len(frame)
        if progress:
            progress(kind.name, n, len(todo))
    return counts
