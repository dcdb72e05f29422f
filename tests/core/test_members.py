"""Staff manage portal members: create, change, deactivate, delete — one transaction, one audit entry."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from core import members, portal, scope as scope_core
from core.db import utcnow
from core import settings as settings_core
from core.errors import NotFound, ValidationError
from core.schema import accounts, audit_log, outbox, portal_settings, tokens

NEW = dict(first_name="Nina", last_name="Nieuw", email="Nina.Nieuw@A.example", job_title="Planner",
           rights=("invoices", "documents"), notifications=("quotes",))


@pytest.fixture
def cfg(tmp_path):
    base = settings_core.load({"PORTAL_DB_URL": "duckdb:///x.duckdb", "PORTAL_DEMO": "0"},
                              secrets_path=tmp_path / "none.toml", for_web=False)
    return dataclasses.replace(base, outbox_dir=tmp_path / "outbox", base_url="https://portal.example")


@pytest.fixture
def staff(world):
    return world.scope("staff@business.example")


def _count(engine, table, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()


def _audit_actions(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.select(audit_log.c.action).order_by(audit_log.c.id))]


def test_staff_creates_member_with_audit_entry_and_queued_invitation(world, staff, cfg):
    a = world.client_ids["A"]
    with world.engine.begin() as conn:
        member_id = members.create_member(staff, conn, a, cfg=cfg, **NEW)
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(accounts).where(accounts.c.id == member_id)).mappings().one()
        mail = conn.execute(sa.select(outbox).where(outbox.c.to_addr == "nina.nieuw@a.example")).one()
        entry = conn.execute(sa.select(audit_log).where(audit_log.c.action == "member_created")).one()
    assert (row["email"], row["client_id"], row["role"], row["password_hash"]) == ("nina.nieuw@a.example", a, "member", None)
    assert row["right_invoices"] and row["right_documents"] and not row["right_job_status"]
    assert row["notify_quotes"] and not row["notify_jobs"]
    assert mail.kind == "invite" and mail.status == "pending"
    assert "https://portal.example/set-password?token=" in mail.body_text
    assert "nina.nieuw@a.example" in mail.body_text and mail.body_html
    assert (entry.actor_email, entry.client_id, entry.target) == ("staff@business.example", a, "nina.nieuw@a.example")
    # The new member's scope holds exactly the rights chosen, and the other client is not involved.
    scope = world.scope("nina.nieuw@a.example")
    assert scope.client_id == a and scope.rights == {"invoices", "documents"}


def test_member_creation_is_refused_until_portal_setup_is_completed(world, staff, cfg):
    with world.engine.begin() as conn:
        conn.execute(portal_settings.update().values(setup_completed=False))
    with pytest.raises(members.SetupIncomplete, match="portal setup"):
        with world.engine.begin() as conn:
            members.create_member(staff, conn, world.client_ids["A"], cfg=cfg, **NEW)
    assert _count(world.engine, accounts, accounts.c.email == "nina.nieuw@a.example") == 0
    assert _count(world.engine, outbox) == 0


@pytest.mark.parametrize("email", ["ALL@A.EXAMPLE", " all@a.example ", "Staff@Business.Example"])
def test_duplicate_login_email_in_any_case_is_refused_naming_the_field(world, staff, cfg, email):
    before = _count(world.engine, accounts)
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            members.create_member(staff, conn, world.client_ids["B"], cfg=cfg, **{**NEW, "email": email})
    assert "Login email" in err.value.errors and "already" in err.value.errors["Login email"]
    assert _count(world.engine, accounts) == before and _count(world.engine, outbox) == 0


@pytest.mark.parametrize("email", ["", "nina", "nina@", "nina@example", "a b@example.com", "x@y.com\r\nBcc: z@q.com"])
def test_invalid_login_email_is_refused(world, staff, cfg, email):
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            members.create_member(staff, conn, world.client_ids["A"], cfg=cfg, **{**NEW, "email": email})
    assert "Login email" in err.value.errors
    assert _count(world.engine, outbox) == 0


def test_member_without_any_right_is_allowed(world, staff, cfg):
    with world.engine.begin() as conn:
        members.create_member(staff, conn, world.client_ids["A"], cfg=cfg, **{**NEW, "rights": ()})
    assert world.scope("nina.nieuw@a.example").rights == frozenset()


def test_member_scope_is_only_for_staff(world, cfg):
    member = world.scope("all@a.example")
    with pytest.raises(scope_core.NotStaff):
        with world.engine.begin() as conn:
            members.create_member(member, conn, world.client_ids["A"], cfg=cfg, **NEW)
    with pytest.raises(scope_core.NotStaff), world.engine.connect() as conn:
        members.list_members(member, conn, world.client_ids["A"])


def test_list_shows_only_that_clients_members_with_status(world, staff):
    with world.engine.connect() as conn:
        rows = members.list_members(staff, conn, world.client_ids["A"]).rows
    assert set(rows["login_email"]) == {"all@a.example", "invoices@a.example", "none@a.example"}
    by_email = rows.set_index("login_email")
    assert by_email.loc["invoices@a.example", "rights"] == "View invoices"
    assert by_email.loc["none@a.example", "rights"] == "(none)"
    assert set(rows["status"]) == {"Active"}


def test_member_search_matches_name_or_email_within_the_client_only(world, staff):
    a = world.client_ids["A"]
    with world.engine.begin() as conn:
        members.update_member(staff, conn, a, world.account_ids["none@a.example"], first_name="Zoë",
                              last_name="O'Brien_%", email="none@a.example", job_title="Tester",
                              rights=(), notifications=())

    def found(search: str, client: str = "A") -> set[str]:
        with world.engine.connect() as conn:
            page = members.list_members(staff, conn, world.client_ids[client], search=search)
        assert page.total == len(page.rows)
        return set(page.rows["login_email"])

    assert found("INVOICES@") == {"invoices@a.example"}
    assert found("zoë") == {"none@a.example"}
    assert found("brien_%") == {"none@a.example"}  # LIKE wildcards are taken literally
    assert found("_%") == {"none@a.example"}
    assert found("all@") == {"all@a.example"}
    assert found("all@b") == set()  # another client's member is never found here
    assert found("all@", "B") == {"all@b.example"}
    assert found("   ") == {"all@a.example", "invoices@a.example", "none@a.example"}


def test_another_clients_member_id_is_not_found_through_this_client(world, staff):
    b_member = world.account_ids["all@b.example"]
    a = world.client_ids["A"]
    with world.engine.connect() as conn:
        with pytest.raises(NotFound):
            members.get_member(staff, conn, a, b_member)
    with pytest.raises(NotFound):
        with world.engine.begin() as conn:
            members.deactivate(staff, conn, a, b_member)
    assert world.scope("all@b.example") is not None


def test_removing_a_right_applies_to_the_members_next_scope_with_one_audit_entry(world, staff):
    a, mid = world.client_ids["A"], world.account_ids["all@a.example"]
    before = len(_audit_actions(world.engine))
    with world.engine.begin() as conn:
        changed = members.update_member(staff, conn, a, mid, first_name="Test", last_name="Member",
                                        email="all@a.example", job_title="Tester",
                                        rights=("asset_services", "completed_jobs", "work_requests", "documents",
                                                "job_status"),
                                        notifications=("quotes", "invoices", "jobs"))
    assert changed == ["right_invoices"]
    assert "invoices" not in world.scope("all@a.example").rights
    assert _audit_actions(world.engine)[before:] == ["rights_changed"]


def test_changing_login_email_to_another_accounts_address_is_refused(world, staff):
    a, mid = world.client_ids["A"], world.account_ids["none@a.example"]
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            members.update_member(staff, conn, a, mid, first_name="T", last_name="M", email="All@B.example")
    assert "Login email" in err.value.errors


def test_deactivation_ends_the_members_sessions_and_reactivation_lets_it_back(world, staff):
    a, mid = world.client_ids["A"], world.account_ids["all@a.example"]
    with world.engine.begin() as conn:
        members.deactivate(staff, conn, a, mid)
    assert world.scope("all@a.example") is None
    with world.engine.begin() as conn:
        members.reactivate(staff, conn, a, mid)
    with world.engine.connect() as conn:
        # A session from before the deactivation stays ended; a new login works.
        assert scope_core.load(conn, "all@a.example", authenticated_at=utcnow() - dt.timedelta(minutes=5)) is None
        assert scope_core.load(conn, "all@a.example", authenticated_at=utcnow() + dt.timedelta(seconds=2)) is not None
    assert _audit_actions(world.engine)[-2:] == ["member_deactivated", "member_reactivated"]


def test_staff_end_sessions_logs_the_member_out(world, staff):
    a, mid = world.client_ids["A"], world.account_ids["invoices@a.example"]
    with world.engine.begin() as conn:
        members.end_sessions(staff, conn, a, mid)
    with world.engine.connect() as conn:
        assert scope_core.load(conn, "invoices@a.example", authenticated_at=utcnow() - dt.timedelta(seconds=5)) is None
    assert _audit_actions(world.engine)[-1] == "sessions_ended"


def test_delete_removes_the_member_and_its_links_but_keeps_the_audit_log(world, staff, cfg):
    a = world.client_ids["A"]
    with world.engine.begin() as conn:
        mid = members.create_member(staff, conn, a, cfg=cfg, **NEW)
    with world.engine.begin() as conn:
        members.delete_member(staff, conn, a, mid)
    assert _count(world.engine, accounts, accounts.c.id == mid) == 0
    assert _count(world.engine, tokens, tokens.c.account_id == mid) == 0
    assert world.scope("nina.nieuw@a.example") is None
    assert _audit_actions(world.engine)[-2:] == ["member_created", "member_deleted"]
    assert world.scope("all@b.example") is not None


def test_resend_invitation_replaces_the_link_and_queues_a_new_mail(world, staff, cfg):
    a = world.client_ids["A"]
    with world.engine.begin() as conn:
        mid = members.create_member(staff, conn, a, cfg=cfg, **NEW)
    with world.engine.begin() as conn:
        members.resend_invitation(staff, conn, a, mid, cfg=cfg)
    assert _count(world.engine, outbox, outbox.c.to_addr == "nina.nieuw@a.example") == 2
    assert _count(world.engine, tokens, tokens.c.account_id == mid) == 1
    # A member that already chose a password gets a reset, not an invitation.
    with pytest.raises(ValidationError):
        with world.engine.begin() as conn:
            members.resend_invitation(staff, conn, a, world.account_ids["all@a.example"], cfg=cfg)


def test_portal_setup_is_required_to_have_a_logo_and_verifies_it(world, staff):
    with pytest.raises(ValidationError) as err:
        with world.engine.begin() as conn:
            portal.save_setup(staff, conn, portal_name="P", primary_color="#112233", login_intro="",
                              support_contact="help@x.example", work_request_staff=[],
                              logo=b"\x89PNG\r\n\x1a\n not really a png")
    assert "Logo" in err.value.errors


def test_invited_member_login_email_can_be_corrected_and_keeps_its_link(world, staff, cfg):
    a = world.client_ids["A"]
    with world.engine.begin() as conn:
        mid = members.create_member(staff, conn, a, cfg=cfg, **NEW)
    with world.engine.begin() as conn:
        changed = members.update_member(staff, conn, a, mid, first_name="Nina", last_name="Nieuw",
                                        email="nina@a.example", job_title="Planner", rights=NEW["rights"],
                                        notifications=NEW["notifications"])
    assert changed == ["email"]
    assert _count(world.engine, tokens, tokens.c.account_id == mid) == 1
    assert _audit_actions(world.engine)[-1] == "member_changed"
