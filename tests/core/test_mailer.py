"""The outbox sender: real SMTP (aiosmtpd), .eml files, retries with growing back-off, never twice."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from core import mailer, members, outbox, passwords, tokens
from core import settings as settings_core
from core.db import utcnow
from core.errors import ValidationError
from core.schema import outbox as outbox_table
from core.schema import tokens as tokens_table
from tests.factory import PASSWORD

NEW = dict(first_name="Nina", last_name="Nieuw", email="nina@a.example", job_title="Planner", rights=("invoices",))
LINK = re.compile(r"https://portal\.example/set-password\?token=([A-Za-z0-9_\-]+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_port():
    return _free_port()


@pytest.fixture
def smtp_server(smtp_port):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield inbox
    controller.stop()


def _settings(tmp_path, **env) -> settings_core.Settings:
    base = {"PORTAL_DB_URL": "duckdb:///x.duckdb", "PORTAL_DEMO": "0", "PORTAL_BASE_URL": "https://portal.example",
            "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox"), "PORTAL_MAIL_FROM": "portal@business.example"}
    return settings_core.load({**base, **env}, secrets_path=tmp_path / "none.toml", for_web=False)


@pytest.fixture
def smtp_cfg(tmp_path, smtp_port):
    return _settings(tmp_path, PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(smtp_port), PORTAL_SMTP_STARTTLS="0")


def _create(world, cfg, **overrides) -> int:
    with world.engine.begin() as conn:
        return members.create_member(world.scope("staff@business.example"), conn, world.client_ids["A"], cfg=cfg,
                                     **{**NEW, **overrides})


def _link_token(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(1)


def _set_password(world, token: str, password: str = "a brand new passphrase") -> None:
    with world.engine.begin() as conn:
        passwords.set_password(conn, token, password, password)


def _outbox_row(world, to: str = "nina@a.example"):
    with world.engine.connect() as conn:
        return conn.execute(sa.select(outbox_table).where(outbox_table.c.to_addr == to)
                            .order_by(outbox_table.c.id.desc())).first()


def test_smtp_server_receives_the_invitation_and_its_link_works_once(world, smtp_server, smtp_cfg):
    _create(world, smtp_cfg)
    result = mailer.send_pending(world.engine, smtp_cfg)
    assert result.sent == 1
    [message] = smtp_server.messages
    assert smtp_server.envelopes[0].rcpt_tos == ["nina@a.example"]
    assert message["To"].addresses[0].addr_spec == "nina@a.example"
    assert message["From"].addresses[0].addr_spec == "portal@business.example"
    assert message["From"].addresses[0].display_name == "Test Portal"
    assert message.get_body(("html",)) is not None
    assert "nina@a.example" in message.get_body(("plain",)).get_content()
    token = _link_token(message)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64

    _set_password(world, token)
    assert world.scope("nina@a.example").rights == {"invoices"}
    with pytest.raises(tokens.TokenRefused, match="already been used"):
        _set_password(world, token, "yet another passphrase")
    # Only the hash is stored.
    with world.engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(sa.select(tokens_table.c.token_hash))]
    assert token not in stored and tokens.token_hash(token) in stored


def test_expired_link_is_refused_with_a_clear_message(world, smtp_server, smtp_cfg):
    member_id = _create(world, smtp_cfg)
    mailer.send_pending(world.engine, smtp_cfg)
    token = _link_token(smtp_server.messages[0])
    with world.engine.begin() as conn:
        conn.execute(tokens_table.update().where(tokens_table.c.account_id == member_id)
                     .values(expires_at=utcnow() - dt.timedelta(seconds=1)))
    with pytest.raises(tokens.TokenRefused, match="expired"):
        _set_password(world, token)


def test_link_from_before_a_resend_is_refused_and_the_new_one_works(world, smtp_server, smtp_cfg):
    member_id = _create(world, smtp_cfg)
    with world.engine.begin() as conn:
        members.resend_invitation(world.scope("staff@business.example"), conn, world.client_ids["A"], member_id,
                                  cfg=smtp_cfg)
    assert mailer.send_pending(world.engine, smtp_cfg).sent == 2
    old, new = (_link_token(m) for m in smtp_server.messages)
    with pytest.raises(tokens.TokenRefused, match="replaced by a newer one"):
        _set_password(world, old)
    _set_password(world, new)
    assert world.scope("nina@a.example") is not None


def test_bad_new_password_does_not_use_up_the_link(world, smtp_server, smtp_cfg):
    _create(world, smtp_cfg)
    mailer.send_pending(world.engine, smtp_cfg)
    token = _link_token(smtp_server.messages[0])
    with pytest.raises(ValidationError) as err:
        _set_password(world, token, "short")
    assert "New password" in err.value.errors and "at least 12" in err.value.errors["New password"]
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            passwords.set_password(conn, token, "a long enough password", "a different password")
    assert "Confirm password" in err.value.errors
    _set_password(world, token)


def test_link_of_a_deactivated_member_does_not_set_a_password(world, smtp_server, smtp_cfg):
    member_id = _create(world, smtp_cfg)
    mailer.send_pending(world.engine, smtp_cfg)
    with world.engine.begin() as conn:
        members.deactivate(world.scope("staff@business.example"), conn, world.client_ids["A"], member_id)
    with pytest.raises(tokens.TokenRefused, match="deactivated"):
        _set_password(world, _link_token(smtp_server.messages[0]))


def test_smtp_down_keeps_the_row_pending_with_growing_back_off_then_delivers_once(world, tmp_path, smtp_port, smtp_cfg):
    _create(world, smtp_cfg)
    t0 = utcnow()
    # Nothing listens on the port yet: each due attempt fails and the next one waits longer.
    waits = []
    now = t0
    for attempt in (1, 2, 3):
        result = mailer.send_pending(world.engine, smtp_cfg, now=now)
        assert (result.sent, result.retrying) == (0, 1)
        row = _outbox_row(world)
        assert (row.status, row.attempts) == ("pending", attempt)
        assert row.last_error
        waits.append((row.next_attempt_at - now).total_seconds())
        # Before the back-off is over, the row is not tried again.
        assert mailer.send_pending(world.engine, smtp_cfg, now=row.next_attempt_at - dt.timedelta(seconds=1)).retrying == 0
        now = row.next_attempt_at
    assert waits[0] < waits[1] < waits[2]

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert mailer.send_pending(world.engine, smtp_cfg, now=now).sent == 1
        later = now + dt.timedelta(days=2)
        assert mailer.send_pending(world.engine, smtp_cfg, now=later).sent == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    row = _outbox_row(world)
    assert (row.status, row.attempts) == ("sent", 4)


def test_a_row_that_keeps_failing_is_marked_failed_and_staff_can_retry_it(world, smtp_port, smtp_cfg):
    _create(world, smtp_cfg)
    now = utcnow()
    for _ in range(mailer.MAX_ATTEMPTS):
        mailer.send_pending(world.engine, smtp_cfg, now=now)
        now = _outbox_row(world).next_attempt_at
    row = _outbox_row(world)
    assert (row.status, row.attempts) == ("failed", mailer.MAX_ATTEMPTS)
    assert mailer.send_pending(world.engine, smtp_cfg, now=now + dt.timedelta(days=30)).retrying == 0

    staff = world.scope("staff@business.example")
    with world.engine.connect() as conn:
        listed = outbox.list_outbox(staff, conn, status="failed").rows
    assert list(listed["to_addr"]) == ["nina@a.example"]
    with world.engine.begin() as conn:
        outbox.retry(staff, conn, row.id)
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert mailer.send_pending(world.engine, smtp_cfg).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    with pytest.raises(Exception):
        with world.engine.begin() as conn:
            outbox.retry(world.scope("all@a.example"), conn, row.id)


def test_without_smtp_settings_mail_is_written_as_eml_files(world, tmp_path):
    cfg = _settings(tmp_path)
    _create(world, cfg)
    assert mailer.send_pending(world.engine, cfg).sent == 1
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "nina@a.example"
    token = _link_token(message)
    _set_password(world, token)
    assert mailer.send_pending(world.engine, cfg).sent == 0


def test_header_values_cannot_inject_headers(world, tmp_path):
    cfg = _settings(tmp_path)
    with world.engine.begin() as conn:
        outbox.enqueue(conn, key="evil", kind="test", to_addr="nina@a.example", to_name="Nina\r\nBcc: x@evil.example",
                       subject="Hello\r\nBcc: y@evil.example", text="hi")
    assert mailer.send_pending(world.engine, cfg).sent == 1
    raw = next((tmp_path / "outbox").glob("*.eml")).read_bytes()
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Bcc"] is None
    assert b"\nBcc:" not in raw


def test_forgot_password_answers_the_same_and_mails_only_existing_accounts(world, tmp_path):
    cfg = _settings(tmp_path)
    with world.engine.begin() as conn:
        known = passwords.request_reset(conn, "All@A.example", cfg)
    with world.engine.begin() as conn:
        unknown = passwords.request_reset(conn, "nobody@a.example", cfg)
    assert known == unknown
    assert mailer.send_pending(world.engine, cfg).sent == 1
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "all@a.example"
    _set_password(world, _link_token(message), "a fresh reset passphrase")
    from core import accounts
    with world.engine.connect() as conn:
        creds = accounts.credentials(conn, only_email="all@a.example")
    assert accounts.verify_password("a fresh reset passphrase", creds["usernames"]["all@a.example"]["password"])
    assert not accounts.verify_password(PASSWORD, creds["usernames"]["all@a.example"]["password"])


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_is_used_when_a_user_is_configured(world, tmp_path, smtp_port):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"mailer", b"s3cret")
        seen.append(ok)
        return AuthResult(success=ok)

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)
    controller.start()
    try:
        cfg = _settings(tmp_path, PORTAL_SMTP_HOST="127.0.0.1", PORTAL_SMTP_PORT=str(smtp_port),
                        PORTAL_SMTP_STARTTLS="0", PORTAL_SMTP_USER="mailer", PORTAL_SMTP_PASSWORD="s3cret")
        _create(world, cfg)
        # The server refuses mail without AUTH, so delivery proves the login happened.
        assert mailer.send_pending(world.engine, cfg).sent == 1
    finally:
        controller.stop()
    assert seen == [True] and len(inbox.messages) == 1
