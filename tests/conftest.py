"""Shared fixtures: a fresh DuckDB per test, the two-client world, fast bcrypt."""
from __future__ import annotations

import pytest

from core import accounts, schema
from core.db import make_engine
from tests.factory import build_world

TEST_COOKIE_KEY = "test-cookie-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    # Cost 4 instead of 12: the tests check behaviour, not bcrypt's work factor.
    monkeypatch.setattr(accounts, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"duckdb:///{tmp_path / 'portal.duckdb'}"


@pytest.fixture
def portal_env(monkeypatch, tmp_path, db_url):
    """Environment of a non-demo portal on a temporary database (for app and CLI tests)."""
    monkeypatch.setenv("PORTAL_DB_URL", db_url)
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setenv("PORTAL_COOKIE_KEY", TEST_COOKIE_KEY)
    monkeypatch.setenv("PORTAL_OUTBOX_DIR", str(tmp_path / "outbox"))
    monkeypatch.setenv("PORTAL_DOCUMENTS_DIR", str(tmp_path / "documents"))
    # AppTest runs app.py inside pytest: no background sender thread outliving the test's database.
    monkeypatch.setenv("PORTAL_OUTBOX_SENDER", "0")
    for name in ("PORTAL_SMTP_HOST", "PORTAL_SMTP_USER", "PORTAL_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    schema.init(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def world(engine):
    """Clients A and B with data, empty client C, members with different rights, one staff."""
    return build_world(engine)
