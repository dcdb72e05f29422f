"""Work requests: members submit for their own client's sites; staff handle them; e-mail is queued."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from core import work_requests
from core.errors import NotFound, RightMissing, ValidationError
from core.schema import accounts, audit_log, outbox, sites, work_requests as wr_table
from core.scope import NotStaff
from tests.factory import STAFF, add_staff

TOMORROW = dt.date.today() + dt.timedelta(days=1)
NINE = dt.time(9, 0)


def _site_id(engine, ref: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sites.c.id).where(sites.c.ref == ref)).scalar_one()


def _submit(world, email="all@a.example", **overrides) -> int:
    values = dict(subject="Boiler makes noise", site_id=_site_id(world.engine, "S-A1"), notes="Since Monday.",
                  requested_date=TOMORROW, requested_time=NINE)
    values.update(overrides)
    with world.engine.begin() as conn:
        return work_requests.submit(world.scope(email), conn, **values)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_member_work_request_is_stored_with_member_client_and_site(world):
    request_id = _submit(world)
    with world.engine.connect() as conn:
        row = conn.execute(sa.select(wr_table).where(wr_table.c.id == request_id)).mappings().one()
        audited = conn.execute(sa.select(audit_log.c.action).where(
            audit_log.c.target == f"work_request:{request_id}")).scalars().all()
    assert row["account_id"] == world.account_ids["all@a.example"]
    assert row["client_id"] == world.client_ids["A"]
    assert row["site_id"] == _site_id(world.engine, "S-A1")
    assert row["status"] == "new"
    assert row["requested_for"] == dt.datetime.combine(TOMORROW, NINE)
    assert audited == ["work_request_submitted"]


def test_notes_of_4000_characters_are_accepted(world):
    request_id = _submit(world, notes="n" * 4000)
    with world.engine.connect() as conn:
        notes = conn.execute(sa.select(wr_table.c.notes).where(wr_table.c.id == request_id)).scalar_one()
    assert len(notes) == 4000


@pytest.mark.parametrize("length, excess_text", [(4001, "1 character too long"), (4250, "250 characters too long")])
def test_notes_over_4000_characters_are_refused_with_the_count_and_nothing_stored(world, length, excess_text):
    with pytest.raises(ValidationError) as refused:
        _submit(world, notes="n" * length)
    assert excess_text in refused.value.errors["Notes"]
    assert _count(world.engine, wr_table) == 0
    assert _count(world.engine, outbox) == 0


def test_member_cannot_name_another_clients_site(world):
    with pytest.raises(ValidationError) as refused:
        _submit(world, site_id=_site_id(world.engine, "S-B1"))
    assert set(refused.value.errors) == {"Site"}
    assert _count(world.engine, wr_table) == 0


def test_member_cannot_name_an_inactive_site_of_its_own_client(world):
    with world.engine.begin() as conn:
        conn.execute(sites.update().where(sites.c.ref == "S-A2").values(active=False))
    with pytest.raises(ValidationError) as refused:
        _submit(world, site_id=_site_id(world.engine, "S-A2"))
    assert "Site" in refused.value.errors


def test_site_choices_are_only_the_members_own_clients_active_sites(world):
    with world.engine.connect() as conn:
        a_sites = {name for _, name in work_requests.site_choices(world.scope("all@a.example"), conn)}
        b_sites = {name for _, name in work_requests.site_choices(world.scope("all@b.example"), conn)}
    assert all(name.startswith("A site") for name in a_sites) and len(a_sites) == 2
    assert all(name.startswith("B site") for name in b_sites) and len(b_sites) == 2


def test_requested_time_in_the_past_is_refused(world):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _submit(world, requested_date=yesterday, requested_time=NINE)
    assert "Requested date" in refused.value.errors
    assert _count(world.engine, wr_table) == 0


@pytest.mark.parametrize("subject, problem", [("   ", "is required"), ("s" * 201, "1 character too long")])
def test_subject_is_required_and_at_most_200_characters(world, subject, problem):
    with pytest.raises(ValidationError) as refused:
        _submit(world, subject=subject)
    assert problem in refused.value.errors["Subject"]


def test_member_without_work_request_right_cannot_submit(world):
    with pytest.raises(RightMissing):
        _submit(world, email="invoices@a.example")


def test_each_request_queues_one_email_per_staff_recipient_once(world):
    with world.engine.begin() as conn:
        second = add_staff(conn, "planner@business.example")
        quiet = add_staff(conn, "quiet@business.example")
        conn.execute(accounts.update().where(accounts.c.id == quiet).values(receives_work_requests=False))
    request_id = _submit(world)
    with world.engine.connect() as conn:
        mails = conn.execute(sa.select(outbox.c.to_addr, outbox.c.dedup_key, outbox.c.subject)).all()
    assert sorted(m.to_addr for m in mails) == sorted([STAFF, "planner@business.example"])
    assert {m.dedup_key for m in mails} == {f"work_request:{request_id}:{world.account_ids[STAFF]}",
                                            f"work_request:{request_id}:{second}"}
    assert all("Boiler makes noise" in m.subject for m in mails)


def test_member_lists_only_its_own_clients_requests(world):
    _submit(world, subject="From A")
    _submit(world, email="all@b.example", subject="From B", site_id=_site_id(world.engine, "S-B1"))
    with world.engine.connect() as conn:
        a_rows = work_requests.list_for_member(world.scope("all@a.example"), conn).rows
        b_rows = work_requests.list_for_member(world.scope("all@b.example"), conn).rows
    assert list(a_rows["subject"]) == ["From A"]
    assert list(b_rows["subject"]) == ["From B"]


def test_member_search_matches_subject_or_notes_of_its_own_client_only(world):
    _submit(world, subject="Boiler 100% broken", notes="")
    _submit(world, subject="Lights", notes="the boiler room lights")
    _submit(world, email="all@b.example", subject="Boiler at B", site_id=_site_id(world.engine, "S-B1"))
    with world.engine.connect() as conn:
        boiler = work_requests.list_for_member(world.scope("all@a.example"), conn, search="BOILER").rows
        percent = work_requests.list_for_member(world.scope("all@a.example"), conn, search="100%").rows
        staff_boiler = work_requests.inbox(world.scope(STAFF), conn, search="boiler").total
    assert sorted(boiler["subject"]) == ["Boiler 100% broken", "Lights"]
    assert list(percent["subject"]) == ["Boiler 100% broken"]
    assert staff_boiler == 3


def test_staff_declines_with_a_reason_the_member_sees(world):
    request_id = _submit(world)
    with world.engine.begin() as conn:
        work_requests.decline(world.scope(STAFF), conn, request_id, reason="Covered by the contract visit")
    with world.engine.connect() as conn:
        rows = work_requests.list_for_member(world.scope("all@a.example"), conn).rows
        actions = conn.execute(sa.select(audit_log.c.action).where(
            audit_log.c.target == f"work_request:{request_id}").order_by(audit_log.c.id)).scalars().all()
    assert rows.iloc[0]["status_label"] == "Declined"
    assert rows.iloc[0]["decline_reason"] == "Covered by the contract visit"
    assert actions == ["work_request_submitted", "work_request_declined"]


def test_decline_without_reason_is_refused(world):
    request_id = _submit(world)
    with pytest.raises(ValidationError) as refused, world.engine.begin() as conn:
        work_requests.decline(world.scope(STAFF), conn, request_id, reason="  ")
    assert "Reason" in refused.value.errors


def test_staff_accepts_then_converts_to_a_job(world):
    request_id = _submit(world)
    staff = world.scope(STAFF)
    with world.engine.begin() as conn:
        work_requests.accept(staff, conn, request_id)
        work_requests.mark_converted(staff, conn, request_id, job_ref="J-A1")
    with world.engine.connect() as conn:
        row = work_requests.get_for_staff(staff, conn, request_id)
    assert (row["status"], row["job_ref"]) == ("converted", "J-A1")


def test_converting_to_another_clients_job_is_refused(world):
    request_id = _submit(world)
    with pytest.raises(ValidationError) as refused, world.engine.begin() as conn:
        work_requests.mark_converted(world.scope(STAFF), conn, request_id, job_ref="J-B1")
    assert "Job ref" in refused.value.errors


def test_a_declined_request_cannot_be_accepted_afterwards(world):
    request_id = _submit(world)
    staff = world.scope(STAFF)
    with world.engine.begin() as conn:
        work_requests.decline(staff, conn, request_id, reason="No")
    with pytest.raises(work_requests.StatusConflict), world.engine.begin() as conn:
        work_requests.accept(staff, conn, request_id)


def test_inbox_filters_by_status_and_client_and_is_staff_only(world):
    first = _submit(world, subject="From A")
    _submit(world, email="all@b.example", subject="From B", site_id=_site_id(world.engine, "S-B1"))
    staff = world.scope(STAFF)
    with world.engine.begin() as conn:
        work_requests.accept(staff, conn, first)
    with world.engine.connect() as conn:
        everything = work_requests.inbox(staff, conn)
        only_b = work_requests.inbox(staff, conn, client_id=world.client_ids["B"])
        accepted = work_requests.inbox(staff, conn, status="accepted")
        none_tomorrow = work_requests.inbox(staff, conn, submitted_from=TOMORROW)
        with pytest.raises(NotStaff):
            work_requests.inbox(world.scope("all@a.example"), conn)
    assert everything.total == 2
    assert list(only_b.rows["subject"]) == ["From B"]
    assert list(accepted.rows["subject"]) == ["From A"]
    assert none_tomorrow.total == 0
    assert {"client", "member", "site", "requested_for", "notes"} <= set(everything.rows.columns)


def test_unknown_request_is_not_found(world):
    with pytest.raises(NotFound), world.engine.begin() as conn:
        work_requests.accept(world.scope(STAFF), conn, 999)
