"""Scope: loaded fresh per run; inactive accounts and unknown e-mails get none; rights refuse loudly."""
import pytest

from core import scope as scope_core
from core.errors import RightMissing
from core.schema import accounts, clients
from tests.factory import STAFF


def test_member_scope_carries_its_own_client_and_rights(world):
    scope = world.scope("invoices@a.example")
    assert isinstance(scope, scope_core.MemberScope)
    assert scope.client_id == world.client_ids["A"]
    assert scope.rights == frozenset({"invoices"})


def test_staff_scope_has_no_client(world):
    assert isinstance(world.scope(STAFF), scope_core.StaffScope)


def test_login_names_are_case_insensitive(world):
    assert world.scope("Invoices@A.Example").email == "invoices@a.example"


def test_inactive_member_and_member_of_inactive_client_get_no_scope(world):
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "none@a.example").values(active=False))
        conn.execute(clients.update().where(clients.c.id == world.client_ids["B"]).values(active=False))
    assert world.scope("none@a.example") is None
    assert world.scope("all@b.example") is None
    assert world.scope("nobody@a.example") is None


@pytest.mark.parametrize("email, right, allowed", [
    ("invoices@a.example", "invoices", True),
    ("invoices@a.example", "job_status", False),
    ("none@a.example", "invoices", False),
    ("all@a.example", "documents", True),
])
def test_member_without_a_right_is_refused(world, email, right, allowed):
    scope = world.scope(email)
    if allowed:
        assert scope_core.require_member(scope, right) is scope
    else:
        with pytest.raises(RightMissing):
            scope_core.require_member(scope, right)


def test_staff_is_not_a_member_and_members_are_not_staff(world):
    with pytest.raises(RightMissing):
        scope_core.require_member(world.scope(STAFF), "invoices")
    with pytest.raises(scope_core.NotStaff):
        scope_core.require_staff(world.scope("all@a.example"))


def test_a_rights_change_shows_in_the_next_load(world):
    with world.engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.email == "invoices@a.example").values(right_invoices=False))
    assert world.scope("invoices@a.example").rights == frozenset()
