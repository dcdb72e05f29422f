"""One place for the portal's configuration (SPEC §9).

Every setting has a default and a line of help. Values come from the environment, then from
`.streamlit/secrets.toml`, then the default; the environment wins. `load()` validates and raises
`SettingsError` with a message naming the variable.
"""
from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = "duckdb:///data/portal.duckdb"


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    """One PORTAL_* variable with its default and a line of help."""

    name: str
    default: str | None
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("PORTAL_DB_URL", DEFAULT_DB_URL, "database: duckdb:///path or postgresql+psycopg://user:pw@host/db"),
    Setting("PORTAL_DEMO", None, "1: load demo data into an empty database at start (default 1 when PORTAL_DB_URL is unset)"),
    Setting("PORTAL_BASE_URL", "http://localhost:8501", "public address used in e-mailed links"),
    Setting("PORTAL_COOKIE_KEY", None, "signing key for login cookies (required outside demo mode)"),
    Setting("PORTAL_COOKIE_EXPIRY_DAYS", "30", "days a remember-me cookie stays valid"),
    Setting("PORTAL_SMTP_HOST", None, "SMTP server; unset: e-mail is written as .eml files"),
    Setting("PORTAL_SMTP_PORT", "587", "SMTP port"),
    Setting("PORTAL_SMTP_USER", None, "SMTP login name"),
    Setting("PORTAL_SMTP_PASSWORD", None, "SMTP password"),
    Setting("PORTAL_SMTP_STARTTLS", "1", "1: upgrade the SMTP connection with STARTTLS"),
    Setting("PORTAL_MAIL_FROM", "portal@localhost", "sender address of every e-mail"),
    Setting("PORTAL_OUTBOX_DIR", "data/outbox", "folder for .eml files when no SMTP server is set"),
    Setting("PORTAL_DOCUMENTS_DIR", "data/documents", "folder where uploaded documents are stored"),
    Setting("PORTAL_MAX_UPLOAD_MB", "20", "largest document upload, in MB"),
    Setting("PORTAL_TOKEN_HOURS", "72", "hours a set-password or reset link stays valid"),
    Setting("PORTAL_OUTBOX_SENDER", "1", "1: the app process delivers queued e-mail in a background thread; "
            "0: leave it to `python -m core send-outbox` (run it from cron or as its own service)"),
)

_HELP = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The validated configuration of this process."""

    db_url: str
    demo: bool
    base_url: str
    cookie_key: str
    cookie_expiry_days: float
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    smtp_starttls: bool
    mail_from: str
    outbox_dir: Path
    documents_dir: Path
    max_upload_bytes: int
    token_hours: int
    outbox_sender: bool = True

    @property
    def is_duckdb(self) -> bool:
        return self.db_url.startswith("duckdb:")


def read_secrets(path: Path) -> dict[str, str]:
    """Read flat PORTAL_* values from a secrets.toml file, if it exists."""
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {k: str(v) for k, v in data.items() if k.startswith("PORTAL_") and not isinstance(v, dict)}


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be 1 or 0, not {raw!r}")


def _int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, not {value}")
    return value


def _path(raw: str) -> Path:
    path = Path(raw)
    return path if path.is_absolute() else PROJECT_ROOT / path


def resolve_db_url(url: str) -> str:
    """Make a relative DuckDB path relative to the project folder, not the working directory."""
    prefix = "duckdb:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(PROJECT_ROOT / url[len(prefix):])
    return url


def _demo_cookie_key(db_url: str) -> str:
    # Demo mode only: a random key generated once and kept beside the demo database.
    key_file = PROJECT_ROOT / "data" / ".cookie_key"
    if key_file.is_file():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load(environ: Mapping[str, str] | None = None, secrets_path: Path | None = None, *,
         for_web: bool = True) -> Settings:
    """Build validated settings from the environment and secrets.toml (environment wins).

    `for_web=False` (command-line tools) does not insist on a cookie key, which only the web app uses.
    """
    environ = os.environ if environ is None else environ
    secrets_path = PROJECT_ROOT / ".streamlit" / "secrets.toml" if secrets_path is None else secrets_path
    from_file = read_secrets(secrets_path)

    def raw(name: str) -> str | None:
        if environ.get(name) not in (None, ""):
            return environ[name]
        if from_file.get(name) not in (None, ""):
            return from_file[name]
        return _HELP[name].default

    db_url_given = raw("PORTAL_DB_URL") != DEFAULT_DB_URL
    db_url = resolve_db_url(raw("PORTAL_DB_URL"))
    if not (db_url.startswith("duckdb:///") or db_url.startswith("postgresql")):
        raise SettingsError(f"PORTAL_DB_URL must start with duckdb:/// or postgresql+psycopg://, not {db_url!r}")
    demo_raw = raw("PORTAL_DEMO")
    demo = _bool("PORTAL_DEMO", demo_raw) if demo_raw is not None else not db_url_given

    cookie_key = raw("PORTAL_COOKIE_KEY")
    if not cookie_key:
        if not demo and for_web:
            raise SettingsError(
                "PORTAL_COOKIE_KEY is not set: outside demo mode the portal needs a secret key "
                "for login cookies (for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        cookie_key = _demo_cookie_key(db_url) if demo else ""

    elif len(cookie_key) < 32 and not demo:
        raise SettingsError("PORTAL_COOKIE_KEY must be at least 32 characters long")

    try:
        expiry = float(raw("PORTAL_COOKIE_EXPIRY_DAYS"))
    except ValueError:
        raise SettingsError("PORTAL_COOKIE_EXPIRY_DAYS must be a number of days") from None
    if expiry <= 0:
        raise SettingsError("PORTAL_COOKIE_EXPIRY_DAYS must be more than 0")

    base_url = raw("PORTAL_BASE_URL").rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise SettingsError(f"PORTAL_BASE_URL must start with http:// or https://, not {base_url!r}")

    return Settings(
        db_url=db_url,
        demo=demo,
        base_url=base_url,
        cookie_key=cookie_key,
        cookie_expiry_days=expiry,
        smtp_host=raw("PORTAL_SMTP_HOST"),
        smtp_port=_int("PORTAL_SMTP_PORT", raw("PORTAL_SMTP_PORT"), 1),
        smtp_user=raw("PORTAL_SMTP_USER"),
        smtp_password=raw("PORTAL_SMTP_PASSWORD"),
        smtp_starttls=_bool("PORTAL_SMTP_STARTTLS", raw("PORTAL_SMTP_STARTTLS")),
        mail_from=raw("PORTAL_MAIL_FROM"),
        outbox_dir=_path(raw("PORTAL_OUTBOX_DIR")),
        documents_dir=_path(raw("PORTAL_DOCUMENTS_DIR")),
        max_upload_bytes=_int("PORTAL_MAX_UPLOAD_MB", raw("PORTAL_MAX_UPLOAD_MB"), 1) * 1024 * 1024,
        token_hours=_int("PORTAL_TOKEN_HOURS", raw("PORTAL_TOKEN_HOURS"), 1),
        outbox_sender=_bool("PORTAL_OUTBOX_SENDER", raw("PORTAL_OUTBOX_SENDER")),
    )


def help_table() -> str:
    """The settings as a Markdown table (used by `python -m core settings`)."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    rows += [f"| {s.name} | {s.default or ''} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows)
