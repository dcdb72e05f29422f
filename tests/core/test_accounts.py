"""Accounts: throttling schedule, sessions ended by password change, a login right after it stays valid."""
from __future__ import annotations

import datetime as dt

import pytest

from core import accounts
from core import scope as scope_core
from core.db import utcnow
from core.errors import ValidationError
from tests.factory import PASSWORD


def test_throttle_delay_grows_after_the_free_failures_and_is_capped():
    delays = [accounts.throttle_delay(n) for n in range(1, 30)]
    assert delays[:accounts.FREE_FAILURES] == [0] * accounts.FREE_FAILURES
    grown = delays[accounts.FREE_FAILURES:]
    assert all(a <= b for a, b in zip(grown, grown[1:])) and grown[0] < grown[3]
    assert max(delays) == accounts.MAX_DELAY_SECONDS  # growing, never a permanent lock-out


def test_throttled_account_gets_an_unusable_hash_until_the_delay_is_over(world, monkeypatch):
    with world.engine.begin() as conn:
        for _ in range(accounts.FREE_FAILURES + 1):
            accounts.record_login_failure(conn, "all@a.example")
    with world.engine.connect() as conn:
        entry = accounts.credentials(conn, only_email="all@a.example")["usernames"]["all@a.example"]
        assert not accounts.verify_password(PASSWORD, entry["password"])
        # The other client's member is not affected.
        other = accounts.credentials(conn, only_email="all@b.example")["usernames"]["all@b.example"]
        assert accounts.verify_password(PASSWORD, other["password"])
    later = utcnow() + dt.timedelta(seconds=accounts.throttle_delay(accounts.FREE_FAILURES + 1) + 1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    with world.engine.connect() as conn:
        entry = accounts.credentials(conn, only_email="all@a.example")["usernames"]["all@a.example"]
    assert accounts.verify_password(PASSWORD, entry["password"])


def test_password_change_needs_the_current_password_and_ends_other_sessions(world):
    account_id = world.account_ids["none@a.example"]
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            accounts.change_password(conn, account_id, current="nope", new="a new passphrase!", confirm="a new passphrase!")
    assert "Current password" in err.value.errors
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            accounts.change_password(conn, account_id, current=PASSWORD, new="é" * 40, confirm="é" * 40)
    assert "72 bytes" in err.value.errors["New password"]
    with world.engine.begin() as conn:
        valid_after = accounts.change_password(conn, account_id, current=PASSWORD, new="a new passphrase!",
                                               confirm="a new passphrase!")
    with world.engine.connect() as conn:
        assert scope_core.load(conn, "none@a.example", authenticated_at=valid_after - dt.timedelta(seconds=2)) is None
        assert scope_core.load(conn, "none@a.example", authenticated_at=valid_after) is not None


def test_a_login_right_after_sessions_were_ended_stays_valid(world):
    account_id = world.account_ids["all@a.example"]
    with world.engine.begin() as conn:
        accounts.end_sessions(conn, account_id, reason="test")
        began = accounts.record_login_success(conn, "all@a.example")
    with world.engine.connect() as conn:
        assert scope_core.load(conn, "all@a.example", authenticated_at=began) is not None
