"""Clients list for staff: search, paging, member counts; members may not call it."""
import pytest

from core import clients
from core.scope import NotStaff
from tests.factory import STAFF


def test_staff_lists_clients_with_member_counts(world):
    with world.engine.connect() as conn:
        page = clients.list_clients(world.scope(STAFF), conn)
    counts = dict(zip(page.rows["ref"], page.rows["members"]))
    assert page.total == 3
    assert counts == {"C-A": 3, "C-B": 1, "C-C": 1}


def test_search_matches_name_or_ref_case_insensitively(world):
    with world.engine.connect() as conn:
        assert list(clients.list_clients(world.scope(STAFF), conn, search="bravo").rows["ref"]) == ["C-B"]
        assert list(clients.list_clients(world.scope(STAFF), conn, search="c-c").rows["ref"]) == ["C-C"]
        assert clients.list_clients(world.scope(STAFF), conn, search="100%").total == 0


def test_paging_past_the_end_falls_back_to_the_last_page(world):
    with world.engine.connect() as conn:
        page = clients.list_clients(world.scope(STAFF), conn, page=9, page_size=2)
    assert (page.page, len(page.rows), page.total) == (2, 1, 3)


def test_members_cannot_list_clients(world):
    with world.engine.connect() as conn, pytest.raises(NotStaff):
        clients.list_clients(world.scope("all@a.example"), conn)
