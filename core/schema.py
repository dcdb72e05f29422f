"""The whole domain's tables (SPEC §2), in portable SQLAlchemy Core.

Every tenant table carries a NOT NULL `client_id`, so every member-facing query can filter on it
directly. `init()` creates or upgrades the schema idempotently and records its version.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import (
    Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, LargeBinary, MetaData, Numeric,
    Sequence, String, Table, Text, UniqueConstraint,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import ForeignKeyConstraint

SCHEMA_VERSION = 1


@compiles(ForeignKeyConstraint, "duckdb")
def _no_foreign_keys_on_duckdb(constraint, compiler, **kw):
    # DuckDB turns an update of an indexed column into delete + insert, which its foreign keys
    # then refuse for any referenced row (a documented DuckDB limitation): re-importing a job
    # whose status changed would fail. DuckDB gets no FOREIGN KEY clauses; PostgreSQL keeps them,
    # and the loader resolves every reference by joining on refs within the row's client.
    return None

metadata = MetaData()

MONEY = Numeric(14, 2)
JOB_STATUSES = ("unassigned", "assigned", "in_progress", "pending", "completed", "cancelled")
QUOTE_STATUSES = ("draft", "awaiting_approval", "approved", "declined", "expired")
WORK_REQUEST_STATUSES = ("new", "accepted", "declined", "converted")


def _id(table: str) -> Column:
    return Column("id", Integer, Sequence(f"{table}_id_seq"), primary_key=True)


def _client(nullable: bool = False) -> Column:
    return Column("client_id", Integer, ForeignKey("clients.id"), nullable=nullable)


schema_version = Table(
    "schema_version", metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applied_at", DateTime, nullable=False),
)

portal_settings = Table(
    "portal_settings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1: the portal has one settings row
    Column("portal_name", String(120), nullable=False, default="Client Portal"),
    Column("logo", LargeBinary),
    Column("logo_mime", String(40)),
    Column("wallpaper", LargeBinary),
    Column("wallpaper_mime", String(40)),
    Column("primary_color", String(7), nullable=False, default="#1f6feb"),
    Column("login_intro", Text, nullable=False, default=""),
    Column("support_contact", String(300), nullable=False, default=""),
    Column("currency", String(3), nullable=False, default="EUR"),
    Column("setup_completed", Boolean, nullable=False, default=False),
    Column("updated_at", DateTime),
    Column("updated_by", Integer),
)

clients = Table(
    "clients", metadata,
    _id("clients"),
    Column("ref", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254)),
    Column("phone", String(64)),
    Column("address", String(400)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)
Index("ix_clients_name", clients.c.name)

sites = Table(
    "sites", metadata,
    _id("sites"),
    _client(),
    Column("ref", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("address", String(400)),
    Column("active", Boolean, nullable=False, default=True),
)
Index("ix_sites_client", sites.c.client_id, sites.c.name)

assets = Table(
    "assets", metadata,
    _id("assets"),
    _client(),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("ref", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("category", String(100)),
    Column("make", String(100)),
    Column("model", String(100)),
    Column("serial_number", String(100)),
    Column("installed_on", Date),
)
Index("ix_assets_client_site", assets.c.client_id, assets.c.site_id)

jobs = Table(
    "jobs", metadata,
    _id("jobs"),
    _client(),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("ref", String(64), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    Column("description", Text),
    Column("status", String(20), nullable=False),
    Column("technician", String(200)),
    Column("scheduled_for", DateTime),
    Column("completed_at", DateTime),
    Column("created_at", DateTime, nullable=False),
    sa.CheckConstraint(f"status IN {JOB_STATUSES}", name="ck_jobs_status"),
)
Index("ix_jobs_client_status", jobs.c.client_id, jobs.c.status)
Index("ix_jobs_client_completed", jobs.c.client_id, jobs.c.completed_at)

asset_services = Table(
    "asset_services", metadata,
    _id("asset_services"),
    _client(),
    Column("asset_id", Integer, ForeignKey("assets.id"), nullable=False),
    Column("job_id", Integer, ForeignKey("jobs.id")),
    Column("ref", String(64), nullable=False, unique=True),
    Column("service_type", String(120), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("completed_on", Date),
    Column("result", String(200)),
    Column("notes", Text),
)
Index("ix_asset_services_client_due", asset_services.c.client_id, asset_services.c.due_on)
Index("ix_asset_services_asset", asset_services.c.asset_id)
Index("ix_asset_services_job", asset_services.c.job_id)

workflow_forms = Table(
    "workflow_forms", metadata,
    _id("workflow_forms"),
    _client(),
    Column("job_id", Integer, ForeignKey("jobs.id"), nullable=False),
    Column("ref", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("completed_at", DateTime),
)
Index("ix_workflow_forms_job", workflow_forms.c.job_id)

workflow_answers = Table(
    "workflow_answers", metadata,
    _id("workflow_answers"),
    _client(),
    Column("form_id", Integer, ForeignKey("workflow_forms.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text),
    UniqueConstraint("form_id", "position", name="uq_workflow_answers_pos"),
)

quotes = Table(
    "quotes", metadata,
    _id("quotes"),
    _client(),
    Column("job_id", Integer, ForeignKey("jobs.id")),
    Column("ref", String(64), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("issued_on", Date),
    Column("valid_until", Date),
    Column("subtotal", MONEY, nullable=False, default=0),
    Column("vat_amount", MONEY, nullable=False, default=0),
    Column("total", MONEY, nullable=False, default=0),
    sa.CheckConstraint(f"status IN {QUOTE_STATUSES}", name="ck_quotes_status"),
)
Index("ix_quotes_client_status", quotes.c.client_id, quotes.c.status)
Index("ix_quotes_job", quotes.c.job_id)

quote_lines = Table(
    "quote_lines", metadata,
    _id("quote_lines"),
    _client(),
    Column("quote_id", Integer, ForeignKey("quotes.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", Numeric(12, 3), nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("vat_rate", Numeric(5, 2), nullable=False),
    UniqueConstraint("quote_id", "line_no", name="uq_quote_lines_no"),
)

invoices = Table(
    "invoices", metadata,
    _id("invoices"),
    _client(),
    Column("job_id", Integer, ForeignKey("jobs.id")),
    Column("ref", String(64), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("subtotal", MONEY, nullable=False, default=0),
    Column("vat_amount", MONEY, nullable=False, default=0),
    Column("total", MONEY, nullable=False, default=0),
    Column("amount_paid", MONEY, nullable=False, default=0),
    Column("paid_on", Date),
)
Index("ix_invoices_client_due", invoices.c.client_id, invoices.c.due_on)
Index("ix_invoices_job", invoices.c.job_id)

invoice_lines = Table(
    "invoice_lines", metadata,
    _id("invoice_lines"),
    _client(),
    Column("invoice_id", Integer, ForeignKey("invoices.id"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", Numeric(12, 3), nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("vat_rate", Numeric(5, 2), nullable=False),
    UniqueConstraint("invoice_id", "line_no", name="uq_invoice_lines_no"),
)

accounts = Table(
    "accounts", metadata,
    _id("accounts"),
    Column("email", String(254), nullable=False, unique=True),  # stored lower-case
    Column("role", String(10), nullable=False),
    _client(nullable=True),
    Column("first_name", String(100), nullable=False),
    Column("last_name", String(100), nullable=False),
    Column("job_title", String(150), nullable=False, default=""),
    Column("password_hash", String(100)),
    Column("active", Boolean, nullable=False, default=True),
    Column("right_asset_services", Boolean, nullable=False, default=False),
    Column("right_completed_jobs", Boolean, nullable=False, default=False),
    Column("right_invoices", Boolean, nullable=False, default=False),
    Column("right_work_requests", Boolean, nullable=False, default=False),
    Column("right_documents", Boolean, nullable=False, default=False),
    Column("right_job_status", Boolean, nullable=False, default=False),
    Column("notify_quotes", Boolean, nullable=False, default=False),
    Column("notify_invoices", Boolean, nullable=False, default=False),
    Column("notify_jobs", Boolean, nullable=False, default=False),
    Column("receives_work_requests", Boolean, nullable=False, default=False),  # staff only
    Column("created_at", DateTime, nullable=False),
    Column("invited_at", DateTime),
    Column("activated_at", DateTime),
    Column("last_login_at", DateTime),
    Column("sessions_valid_after", DateTime),  # sessions authenticated before this are ended
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("throttled_until", DateTime),
    sa.CheckConstraint("role IN ('staff', 'member')", name="ck_accounts_role"),
    sa.CheckConstraint(
        "(role = 'member' AND client_id IS NOT NULL) OR (role = 'staff' AND client_id IS NULL)",
        name="ck_accounts_member_client",
    ),
)
Index("ix_accounts_client", accounts.c.client_id)

documents = Table(
    "documents", metadata,
    _id("documents"),
    _client(),
    Column("title", String(300), nullable=False),
    Column("filename", String(300), nullable=False),  # shown only; never used as a path
    Column("storage_key", String(80), nullable=False, unique=True),
    Column("size_bytes", Integer, nullable=False),
    Column("visible", Boolean, nullable=False, default=False),
    Column("uploaded_by", Integer),  # no FK, as in work_requests/audit_log: outlives the account
    Column("uploaded_at", DateTime, nullable=False),
)
Index("ix_documents_client_uploaded", documents.c.client_id, documents.c.uploaded_at)

document_restrictions = Table(
    "document_restrictions", metadata,
    Column("document_id", Integer, ForeignKey("documents.id"), primary_key=True, autoincrement=False),
    # core.members.delete_member removes a member's restrictions before the member.
    Column("account_id", Integer, ForeignKey("accounts.id"), primary_key=True, autoincrement=False),
    _client(),
)

work_requests = Table(
    "work_requests", metadata,
    _id("work_requests"),
    _client(),
    Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
    Column("account_id", Integer),  # no FK: a request outlives a deleted member
    Column("submitted_by", String(254), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("notes", Text, nullable=False, default=""),
    Column("requested_for", DateTime, nullable=False),
    Column("status", String(12), nullable=False, default="new"),
    Column("decline_reason", Text),
    Column("job_ref", String(64)),
    Column("created_at", DateTime, nullable=False),
    Column("handled_by", Integer),
    Column("handled_at", DateTime),
    sa.CheckConstraint(f"status IN {WORK_REQUEST_STATUSES}", name="ck_work_requests_status"),
)
Index("ix_work_requests_client", work_requests.c.client_id, work_requests.c.created_at)
Index("ix_work_requests_status", work_requests.c.status, work_requests.c.created_at)

tokens = Table(
    "tokens", metadata,
    _id("tokens"),
    # core.members.delete_member removes an account's tokens before the account.
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("purpose", String(10), nullable=False),  # invite | reset
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 hex; never the token
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("used_at", DateTime),
)
Index("ix_tokens_account", tokens.c.account_id)

outbox = Table(
    "outbox", metadata,
    _id("outbox"),
    Column("dedup_key", String(200), nullable=False, unique=True),
    Column("kind", String(30), nullable=False),
    Column("to_addr", String(254), nullable=False),
    Column("to_name", String(200)),
    Column("subject", String(300), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text),
    Column("status", String(10), nullable=False, default="pending"),  # pending | sent | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", DateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", DateTime, nullable=False),
    Column("sent_at", DateTime),
)
Index("ix_outbox_pending", outbox.c.status, outbox.c.next_attempt_at)

notification_events = Table(
    # One row per (member, record, transition) ever notified: the import inserts its events here
    # with ON CONFLICT DO NOTHING and e-mails only the rows it actually inserted, so a re-import
    # never notifies twice. No FK: the record outlives a deleted member.
    "notification_events", metadata,
    _id("notification_events"),
    Column("account_id", Integer, nullable=False),
    Column("kind", String(10), nullable=False),  # quotes | invoices | jobs
    Column("record_ref", String(64), nullable=False),
    Column("transition", String(20), nullable=False),  # awaiting_approval | issued | completed
    Column("import_id", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("account_id", "kind", "record_ref", "transition", name="uq_notification_events"),
)
Index("ix_notification_events_import", notification_events.c.import_id)

audit_log = Table(
    "audit_log", metadata,
    _id("audit_log"),
    Column("occurred_at", DateTime, nullable=False),
    Column("actor_id", Integer),  # no FK: the log outlives deleted accounts
    Column("actor_email", String(254)),
    Column("action", String(60), nullable=False),
    Column("client_id", Integer),
    Column("target", String(300)),
    Column("details", Text),
)
Index("ix_audit_at", audit_log.c.occurred_at)
Index("ix_audit_action", audit_log.c.action, audit_log.c.occurred_at)

TENANT_TABLES = (
    sites, assets, jobs, asset_services, workflow_forms, workflow_answers, quotes, quote_lines,
    invoices, invoice_lines, documents, document_restrictions, work_requests,
)


def current_version(conn: Connection) -> int | None:
    """The recorded schema version, or None for an empty database."""
    if not sa.inspect(conn).has_table("schema_version"):
        return None
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()


def init(engine: Engine) -> int:
    """Create or upgrade the schema (idempotent) and return its version."""
    from core.db import utcnow

    with engine.begin() as conn:
        metadata.create_all(conn, checkfirst=True)
        version = current_version(conn)
        if version is None or version < SCHEMA_VERSION:
            conn.execute(schema_version.insert().values(version=SCHEMA_VERSION, applied_at=utcnow()))
        if conn.execute(sa.select(portal_settings.c.id)).first() is None:
            conn.execute(portal_settings.insert().values(id=1, portal_name="Client Portal"))
    return SCHEMA_VERSION
