"""Notifications an import starts: one e-mail per member who chose it, of that client only, never twice,
one digest per member, showing only what the member's rights allow; delivered exactly once by SMTP."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from core import importer, mailer, notifications
from core import settings as settings_core
from core.schema import notification_events, outbox
from tests.factory import add_member, business_frames

BASE_URL = "https://portal.example"


def import_frames(world, folder: Path, frames: dict[str, pd.DataFrame]) -> importer.Report:
    folder.mkdir(parents=True, exist_ok=True)
    for kind, frame in frames.items():
        frame.to_csv(folder / f"{kind}.csv", index=False)
    report = importer.run(world.engine, importer.sources_from_path(folder), apply=True, base_url=BASE_URL)
    assert report.ok, report.problems
    return report


def queued(world) -> list[dict]:
    with world.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(outbox).order_by(outbox.c.id)).mappings()]


def completed(world, *job_refs: str) -> pd.DataFrame:
    frame = business_frames(world.today)["jobs"]
    done = frame["job_ref"].isin(job_refs)
    frame.loc[done, "status"] = "completed"
    frame.loc[done, "completed_at"] = f"{world.today} 16:45"
    return frame


@pytest.fixture
def more_members(world):
    """Extra client A members: Jobs on without any right, Jobs on but inactive, Invoices on without the right."""
    with world.engine.begin() as conn:
        a = world.client_ids["A"]
        add_member(conn, "jobs-no-rights@a.example", a, (), ("jobs",))
        add_member(conn, "inactive@a.example", a, tuple(["completed_jobs"]), ("jobs", "invoices", "quotes"),
                   active=False)
        add_member(conn, "invoice-news-no-right@a.example", a, ("job_status",), ("invoices",))
    return world


JOB_COMPLETED_RECIPIENTS = [
    # member, e-mails expected when client A's job J-A1 becomes completed
    ("all@a.example", 1),  # client A, Jobs on
    ("jobs-no-rights@a.example", 1),  # client A, Jobs on (no rights: the e-mail says less)
    ("invoices@a.example", 0),  # client A, Jobs off
    ("none@a.example", 0),  # client A, nothing on
    ("inactive@a.example", 0),  # client A, Jobs on, deactivated
    ("all@b.example", 0),  # client B, Jobs on: another client's job
    ("all@c.example", 0),  # client C
]


@pytest.mark.parametrize("member, expected", JOB_COMPLETED_RECIPIENTS)
def test_job_completed_queues_one_email_to_each_member_of_that_client_with_jobs_on(
        more_members, tmp_path, member, expected):
    world = more_members
    import_frames(world, tmp_path / "jobs", {"jobs": completed(world, "J-A1")})
    mails = [m for m in queued(world) if m["to_addr"] == member]
    assert len(mails) == expected
    if expected:
        assert mails[0]["kind"] == "notification"
        assert "J-A1" in mails[0]["body_text"] and "J-A1" in mails[0]["subject"]


def test_second_import_of_the_same_file_queues_nothing(more_members, tmp_path):
    world = more_members
    frames = {"jobs": completed(world, "J-A1")}
    first = import_frames(world, tmp_path / "first", frames)
    second = import_frames(world, tmp_path / "second", frames)
    assert first.notifications == 2 and second.notifications == 0
    assert len(queued(world)) == 2


def test_a_job_completed_again_after_reopening_is_not_notified_twice(world, tmp_path):
    import_frames(world, tmp_path / "1", {"jobs": completed(world, "J-A1")})
    import_frames(world, tmp_path / "2", {"jobs": business_frames(world.today)["jobs"]})  # reopened
    import_frames(world, tmp_path / "3", {"jobs": completed(world, "J-A1")})
    assert [m["to_addr"] for m in queued(world)] == ["all@a.example"]


def test_jobs_completed_in_another_client_notify_only_that_clients_members(world, tmp_path):
    import_frames(world, tmp_path / "b", {"jobs": completed(world, "J-B1")})
    assert [m["to_addr"] for m in queued(world)] == ["all@b.example"]


def _news(world) -> dict[str, pd.DataFrame]:
    """Two jobs completed, a quote now awaiting approval, one new invoice with a line — all client A."""
    frames = business_frames(world.today)
    frames["jobs"] = completed(world, "J-A1", "J-A2")
    frames["quotes"].loc[frames["quotes"]["quote_ref"] == "Q-A1", "status"] = "awaiting_approval"
    frames["invoices"] = pd.concat([frames["invoices"], pd.DataFrame([{
        "invoice_ref": "I9-A", "client_ref": "C-A", "job_ref": "J-A1", "issued_on": str(world.today),
        "due_on": "2027-01-15", "amount_paid": "0", "paid_on": None}])], ignore_index=True)
    frames["invoice_lines"] = pd.concat([frames["invoice_lines"], pd.DataFrame([{
        "invoice_ref": "I9-A", "line_no": "1", "description": "Repair", "quantity": "2", "unit_price": "50.00",
        "vat_rate": "21"}])], ignore_index=True)
    return frames


def test_many_events_for_one_member_make_one_email_listing_them(more_members, tmp_path):
    world = more_members
    import_frames(world, tmp_path / "news", _news(world))
    mails = [m for m in queued(world) if m["to_addr"] == "all@a.example"]
    assert len(mails) == 1
    body = mails[0]["body_text"]
    for ref in ("J-A1", "J-A2", "Q-A1", "I9-A"):
        assert ref in body
    assert "Q-A2" not in body  # already awaiting approval before this import: no news
    assert {m["to_addr"] for m in queued(world)} == {
        "all@a.example", "invoices@a.example", "jobs-no-rights@a.example", "invoice-news-no-right@a.example"}


def test_email_shows_invoice_amounts_only_to_members_with_the_invoices_right(more_members, tmp_path):
    world = more_members
    import_frames(world, tmp_path / "news", _news(world))
    mails = {m["to_addr"]: m for m in queued(world)}

    with_right = mails["invoices@a.example"]
    assert "EUR 121.00" in with_right["body_text"] and "EUR 121.00" in with_right["body_html"]
    assert f"{BASE_URL}/invoices" in with_right["body_text"] and f'href="{BASE_URL}/invoices"' in with_right["body_html"]

    without = mails["invoice-news-no-right@a.example"]
    assert "I9-A" in without["body_text"]
    assert "EUR" not in without["body_text"] and "EUR" not in without["body_html"]
    assert f"{BASE_URL}/invoices" not in without["body_text"]


def test_email_shows_job_details_only_to_members_who_may_see_jobs(more_members, tmp_path):
    world = more_members
    import_frames(world, tmp_path / "jobs", {"jobs": completed(world, "J-A1")})
    mails = {m["to_addr"]: m for m in queued(world)}
    title = "A job 1 unassigned"
    assert title in mails["all@a.example"]["body_text"]
    assert f"{BASE_URL}/completed-jobs" in mails["all@a.example"]["body_text"]
    assert "J-A1" in mails["jobs-no-rights@a.example"]["body_text"]
    assert title not in mails["jobs-no-rights@a.example"]["body_text"]


def test_imported_text_is_escaped_in_the_html_part(world, tmp_path):
    frame = completed(world, "J-A1")
    frame.loc[frame["job_ref"] == "J-A1", "title"] = "<script>alert(1)</script>"
    import_frames(world, tmp_path / "x", {"jobs": frame})
    (mail,) = queued(world)
    assert "<script>" not in mail["body_html"] and "&lt;script&gt;" in mail["body_html"]


def test_each_notified_event_is_recorded_once(world, tmp_path):
    import_frames(world, tmp_path / "news", _news(world))
    import_frames(world, tmp_path / "again", _news(world))
    with world.engine.connect() as conn:
        rows = conn.execute(sa.select(notification_events.c.kind, notification_events.c.record_ref)
                            .where(notification_events.c.account_id == world.account_ids["all@a.example"])).all()
    assert sorted(rows) == [("invoices", "I9-A"), ("jobs", "J-A1"), ("jobs", "J-A2"), ("quotes", "Q-A1")]


# ------------------------------------------------------------------ delivery by SMTP

class _Inbox:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        # Stored before the server answers 250, so a message is here once smtplib returns.
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _deliver_pending(engine, tmp_path, host: str, port: int) -> int:
    """Run the portal's own outbox sender once against the test SMTP server."""
    cfg = settings_core.load({"PORTAL_SMTP_HOST": host, "PORTAL_SMTP_PORT": str(port), "PORTAL_SMTP_STARTTLS": "0",
                              "PORTAL_OUTBOX_DIR": str(tmp_path / "outbox")},
                             secrets_path=tmp_path / "none.toml", for_web=False)
    return mailer.send_pending(engine, cfg).sent


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def test_job_completed_email_reaches_a_real_smtp_server_exactly_once(more_members, tmp_path, smtp_server):
    world = more_members
    controller, inbox = smtp_server
    frames = {"jobs": completed(world, "J-A1")}
    import_frames(world, tmp_path / "1", frames)
    assert sorted(m["to_addr"] for m in queued(world)) == ["all@a.example", "jobs-no-rights@a.example"]

    sent = _deliver_pending(world.engine, tmp_path, controller.hostname, controller.port)
    import_frames(world, tmp_path / "2", frames)  # re-import: nothing new queued
    sent += _deliver_pending(world.engine, tmp_path, controller.hostname, controller.port)

    assert sent == 2
    recipients = sorted(r for rcpts, _ in inbox.messages for r in rcpts)
    assert recipients == ["all@a.example", "jobs-no-rights@a.example"]
    message = message_from_bytes(next(c for r, c in inbox.messages if r == ["all@a.example"]), policy=policy.default)
    assert message["Subject"] == "Job J-A1 was completed"
    assert "J-A1" in message.get_body(("plain",)).get_content()
    assert message.get_body(("html",)) is not None


def test_a_long_digest_lists_the_first_records_and_counts_the_rest(monkeypatch, world, tmp_path):
    monkeypatch.setattr(notifications, "MAX_LISTED", 1)
    import_frames(world, tmp_path / "many", {"jobs": completed(world, "J-A1", "J-A2")})
    (mail,) = queued(world)
    assert "Jobs completed (2)" in mail["body_text"]
    assert "J-A1" in mail["body_text"] and "J-A2" not in mail["body_text"]
    assert "… and 1 more" in mail["body_text"]
