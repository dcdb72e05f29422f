"""Audit log for staff: filters, newest first, Excel-safe CSV; members cannot read it."""
from __future__ import annotations

import csv
import io

import pytest

from core import audit
from core import scope as scope_core


def _entries(world):
    with world.engine.begin() as conn:
        audit.record(conn, "login", actor_email="all@a.example", client_id=world.client_ids["A"])
        audit.record(conn, "login_failed", actor_email="all@b.example", client_id=world.client_ids["B"],
                     details={"consecutive_failures": 1})
        audit.record(conn, "member_created", actor_email="staff@business.example", client_id=world.client_ids["A"],
                     target="=cmd|' /C calc'!A0")


def test_staff_filter_the_audit_log_by_action_actor_and_client(world):
    _entries(world)
    staff = world.scope("staff@business.example")
    with world.engine.connect() as conn:
        assert list(audit.list_entries(staff, conn, action="login").rows["actor_email"]) == ["all@a.example"]
        assert list(audit.list_entries(staff, conn, actor="B.EXAMPLE").rows["action"]) == ["login_failed"]
        by_client = audit.list_entries(staff, conn, client="bravo").rows
        assert list(by_client["action"]) == ["login_failed"]
        newest_first = audit.list_entries(staff, conn).rows
        assert list(newest_first["action"]) == ["member_created", "login_failed", "login"]
        assert {"login", "login_failed", "member_created"} <= set(audit.actions(staff, conn))


def test_audit_csv_is_excel_safe_and_follows_the_filters(world):
    _entries(world)
    staff = world.scope("staff@business.example")
    with world.engine.connect() as conn:
        data = audit.entries_csv(staff, conn, client="alpha")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert {r["Action"] for r in rows} == {"login", "member_created"}
    assert [r["Target"] for r in rows if r["Action"] == "member_created"] == ["'=cmd|' /C calc'!A0"]


def test_members_cannot_read_the_audit_log(world):
    with pytest.raises(scope_core.NotStaff), world.engine.connect() as conn:
        audit.list_entries(world.scope("all@a.example"), conn)
    with pytest.raises(scope_core.NotStaff), world.engine.connect() as conn:
        audit.entries_csv(world.scope("all@a.example"), conn)


def test_audit_list_shows_empty_text_not_missing_values(world):
    from core import audit
    from tests.factory import STAFF

    with world.engine.begin() as conn:
        audit.record(conn, "login", actor_email=STAFF)
        rows = audit.list_entries(world.scope(STAFF), conn).rows
    assert rows[["target", "details"]].map(lambda v: v is None).sum().sum() == 0
    assert set(rows["target"]) == {""}
