"""Accounts: password rule, credentials for the login form, throttling, ending sessions."""
import datetime as dt

import pytest
import sqlalchemy as sa

from core import accounts
from core import scope as scope_core
from core.db import utcnow
from core.errors import ValidationError
from core.schema import accounts as accounts_table
from core.schema import audit_log
from tests.factory import PASSWORD, STAFF


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 12 characters"),
    ("x" * 11, "at least 12 characters"),
    ("x" * 12, None),
    ("x" * 72, None),
    ("x" * 73, "at most 72 bytes"),
    ("€" * 25, "at most 72 bytes"),  # 25 characters, 75 bytes
    ("no rules at all, just long", None),
])
def test_password_rule_is_length_only_and_says_which_limit(password, problem):
    result = accounts.password_problem(password)
    if problem is None:
        assert result is None
    else:
        assert problem in result


def test_passwords_are_bcrypt_hashes():
    hashed = accounts.hash_password("a long enough password")
    assert hashed.startswith("$2b$")
    assert accounts.verify_password("a long enough password", hashed)
    assert not accounts.verify_password("another long password", hashed)


def test_credentials_hold_only_active_accounts_with_a_password(world):
    with world.engine.begin() as conn:
        conn.execute(accounts_table.update().where(accounts_table.c.email == "none@a.example").values(active=False))
        conn.execute(accounts_table.update().where(accounts_table.c.email == "all@c.example").values(password_hash=None))
        creds = accounts.credentials(conn)["usernames"]
    assert "all@a.example" in creds and STAFF in creds
    assert "none@a.example" not in creds and "all@c.example" not in creds
    assert creds["all@a.example"]["roles"] == ["member"]


def test_credentials_for_one_account_hold_no_one_else(world):
    with world.engine.connect() as conn:
        creds = accounts.credentials(conn, only_email="ALL@a.example")
    assert list(creds["usernames"]) == ["all@a.example"]


def test_growing_delay_after_repeated_failures():
    delays = [accounts.throttle_delay(n) for n in range(1, 8)]
    assert delays[: accounts.FREE_FAILURES] == [0] * accounts.FREE_FAILURES
    assert delays[accounts.FREE_FAILURES:] == sorted(delays[accounts.FREE_FAILURES:])
    assert delays[-1] > delays[accounts.FREE_FAILURES] > 0
    assert accounts.throttle_delay(100) == accounts.MAX_DELAY_SECONDS


def test_throttled_account_gets_an_unmatchable_hash_until_the_delay_ends(world):
    email = "all@a.example"
    with world.engine.begin() as conn:
        for _ in range(accounts.FREE_FAILURES + 1):
            accounts.record_login_failure(conn, email)
        entry = accounts.credentials(conn)["usernames"][email]
        assert not accounts.verify_password(PASSWORD, entry["password"])
        assert accounts.seconds_throttled(conn, email) > 0
        # An attempt during the delay is refused and does not lengthen it.
        before = conn.execute(sa.select(accounts_table.c.failed_logins).where(accounts_table.c.email == email)).scalar()
        accounts.record_login_failure(conn, email)
        after = conn.execute(sa.select(accounts_table.c.failed_logins).where(accounts_table.c.email == email)).scalar()
        assert after == before
        # Once the delay has passed the real password works again, and success resets the count.
        conn.execute(accounts_table.update().where(accounts_table.c.email == email)
                     .values(throttled_until=utcnow() - dt.timedelta(seconds=1)))
        entry = accounts.credentials(conn)["usernames"][email]
        assert accounts.verify_password(PASSWORD, entry["password"])
        accounts.record_login_success(conn, email)
        row = conn.execute(sa.select(accounts_table).where(accounts_table.c.email == email)).mappings().one()
    assert row["failed_logins"] == 0 and row["throttled_until"] is None and row["last_login_at"] is not None


def test_every_login_attempt_is_in_the_audit_log(world):
    with world.engine.begin() as conn:
        accounts.record_login_failure(conn, "all@a.example")
        accounts.record_login_failure(conn, None)
        accounts.record_login_success(conn, "all@a.example")
        actions = [r[0] for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id))]
    assert actions == ["login_failed", "login_failed", "login"]


def test_ending_sessions_invalidates_sessions_that_began_before(world):
    email = "all@a.example"
    began = utcnow() - dt.timedelta(minutes=5)
    with world.engine.begin() as conn:
        assert scope_core.load(conn, email, authenticated_at=began) is not None
        accounts.end_sessions(conn, world.account_ids[email], reason="logout")
        assert scope_core.load(conn, email, authenticated_at=began) is None
        later = utcnow() + dt.timedelta(seconds=2)
        assert scope_core.load(conn, email, authenticated_at=later) is not None


def test_create_staff_refuses_duplicate_email_in_any_case(world):
    with pytest.raises(ValidationError) as refused:
        with world.engine.begin() as conn:
            accounts.create_staff(conn, STAFF.upper(), first_name="A", last_name="B", password="long enough password")
    assert "Email" in refused.value.errors


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
